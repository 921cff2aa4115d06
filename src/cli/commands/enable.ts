// `bot enable <job>`.
import { jobStateCommand } from '../job-state-command.ts'

export const enableCommand = jobStateCommand('enable')
