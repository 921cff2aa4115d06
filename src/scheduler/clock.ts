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

/**
 * How long before a fire time the real clock stops sleeping and checks once per event-loop turn instead:
 * setTimeout counts whole milliseconds from a cached loop time, so a plain timer fires up to ~1 ms late (the
 * whole median trigger lag); polling the last millisecond costs at most that millisecond of CPU per fire time.
 */
export const POLL_LAST_MS = 1

/** Creates the real clock: Date.now and setTimeout, with long sleeps split to notice clock jumps. */
export function createRealClock(): Clock {
  return {
    now: () => Date.now(),
    setTimer(atMs, fn) {
      let timeout: NodeJS.Timeout | undefined
      let immediate: NodeJS.Immediate | undefined
      let cancelled = false
      const check = () => {
        timeout = undefined
        immediate = undefined
        if (cancelled) return
        const wait = atMs - Date.now()
        if (wait <= 0) fn()
        else if (wait <= POLL_LAST_MS) immediate = setImmediate(check)
        else timeout = setTimeout(check, Math.min(wait - POLL_LAST_MS, MAX_TIMER_SLEEP_MS))
      }
      // Defer even an already-due timer so callers never re-enter themselves synchronously; a due one goes on the
      // next turn (setTimeout(0) would wait about a millisecond).
      const wait = atMs - Date.now()
      if (wait <= 0) immediate = setImmediate(check)
      else timeout = setTimeout(check, Math.max(0, Math.min(wait - POLL_LAST_MS, MAX_TIMER_SLEEP_MS)))
      return {
        cancel() {
          cancelled = true
          if (timeout) clearTimeout(timeout)
          if (immediate) clearImmediate(immediate)
        },
      }
    },
  }
}
