// `bot disable <job>`.
import { jobStateCommand } from '../job-state-command.ts'

export const disableCommand = jobStateCommand('disable')
