// `bot pause <job>`.
import { jobStateCommand } from '../job-state-command.ts'

export const pauseCommand = jobStateCommand('pause')
