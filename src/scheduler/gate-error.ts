// Typed error for a dispatch gate answer the scheduler cannot read (it then holds the run: fail closed).
import { SchedulerError } from './errors.ts'

/** The gate returned something that is not a valid decision. */
export class DispatchGateError extends SchedulerError {
  override name = 'DispatchGateError' as const
  constructor(answer: unknown) {
    let shown: string
    try {
      shown = JSON.stringify(answer)?.slice(0, 200) ?? String(answer)
    } catch {
      shown = String(answer)
    }
    super('GATE_INVALID_DECISION', `the dispatch gate answered ${shown}, which is not a decision; the run is held`, {
      hint: "return {action:'run'} | {action:'delay', until, reason} | {action:'skip', reason} | {action:'hold', reason}",
    })
  }
}
