// `bot resume <job>`.
import { jobStateCommand } from '../job-state-command.ts'

export const resumeCommand = jobStateCommand('resume')
