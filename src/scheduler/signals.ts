// SIGINT/SIGTERM handling: the first signal stops the scheduler gracefully, a second one exits at once.
import type { Scheduler } from './scheduler.ts'

/** Options for installSignalHandlers. */
export interface SignalOptions {
  graceMs?: number
  signals?: NodeJS.Signals[]
  /** Called after a graceful stop (default: process.exit(0)); tests pass their own. */
  onStopped?: (signal: NodeJS.Signals) => void
  /** Called on a second signal before the stop finished (default: process.exit(130)). */
  onForced?: (signal: NodeJS.Signals) => void
  /** Called when stop() itself failed (default: process.exit(1)). */
  onError?: (err: unknown) => void
}

/**
 * Installs handlers so SIGINT/SIGTERM stop the scheduler: no new runs, running ones get the grace period,
 * then are aborted and recorded, and the store is closed. Returns a function that removes the handlers.
 */
export function installSignalHandlers(scheduler: Pick<Scheduler, 'stop'>, options: SignalOptions = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM']
  let stopping = false
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      ;(options.onForced ?? (() => process.exit(130)))(signal)
      return
    }
    stopping = true
    scheduler.stop({ graceMs: options.graceMs }).then(
      () => (options.onStopped ?? (() => process.exit(0)))(signal),
      (err: unknown) => (options.onError ?? (() => process.exit(1)))(err),
    )
  }
  for (const s of signals) process.on(s, handler)
  return () => {
    for (const s of signals) process.off(s, handler)
  }
}
