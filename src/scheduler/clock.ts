// Clock port: the scheduler's only source of time and of timers, so tests can drive time by hand.

/** A handle to a pending timer. */
export interface TimerHandle {
  cancel(): void
}

/** Time and one-shot timers, in epoch milliseconds. */
export interface Clock {
  now(): number
  /** Calls `fn` once at (or after) `atMs`. */
  setTimer(atMs: number, fn: () => void): TimerHandle
}

/**
 * The longest a real timer sleeps before re-checking the wall clock. It bounds how late the scheduler notices
 * a wall-clock jump or a resume from suspend (setTimeout counts monotonic time, fire times are wall time).
 */
export const MAX_TIMER_SLEEP_MS = 60_000

/** Creates the real clock: Date.now and setTimeout, with long sleeps split to notice clock jumps. */
export function createRealClock(): Clock {
  return {
    now: () => Date.now(),
    setTimer(atMs, fn) {
      let handle: NodeJS.Timeout | undefined
      let cancelled = false
      const arm = () => {
        const wait = atMs - Date.now()
        if (wait <= 0) {
          handle = undefined
          fn()
          return
        }
        handle = setTimeout(() => {
          if (!cancelled) arm()
        }, Math.min(wait, MAX_TIMER_SLEEP_MS))
      }
      // Defer even an already-due timer so callers never re-enter themselves synchronously.
      handle = setTimeout(() => {
        if (!cancelled) arm()
      }, Math.max(0, Math.min(atMs - Date.now(), MAX_TIMER_SLEEP_MS)))
      return {
        cancel() {
          cancelled = true
          if (handle) clearTimeout(handle)
        },
      }
    },
  }
}
