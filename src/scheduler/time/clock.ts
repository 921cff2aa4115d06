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
 * How long before a fire time the real clock stops sleeping and checks once per event-loop turn instead.
 * A thread woken from sleep on a virtual machine often runs milliseconds late (on the 2-core VM this was measured
 * on, plain setTimeout fires with a p99 lateness of 2-2.5 ms, up to 6 ms); awake, it notices the fire time within
 * a fraction of a millisecond (p99 0.4 ms). The cost is at most this much CPU per distinct fire time, which for
 * routines minutes apart is nothing.
 */
export const POLL_LAST_MS = 3

/**
 * A wait shorter than this is polled whole instead of slept: a short sleep's late wake-up is as long as the sleep
 * itself, so fire times a few milliseconds apart (1,000 jobs over 5 s) would each pay it. Such a dense stretch
 * keeps the scheduler's thread busy while it lasts; `createRealClock({ wakeEarlyMs: 0 })` trades that back.
 */
export const MIN_SLEEP_MS = 10

/** Options of the real clock. */
export interface RealClockOptions {
  /**
   * Milliseconds before each fire time to stop sleeping (default POLL_LAST_MS). 0 sleeps until each fire time
   * and never polls, for the least CPU at the price of the VM's wake-up lateness.
   */
  wakeEarlyMs?: number
}

/** Creates the real clock: Date.now and setTimeout, with long sleeps split to notice clock jumps. */
export function createRealClock(options: RealClockOptions = {}): Clock {
  const early = Math.max(0, options.wakeEarlyMs ?? POLL_LAST_MS)
  /** Waits up to this long are polled; longer ones sleep until `early` ms before the fire time. */
  const pollWithin = early === 0 ? 0 : Math.max(early, MIN_SLEEP_MS)
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
        else if (wait < pollWithin) immediate = setImmediate(check)
        else timeout = setTimeout(check, Math.min(wait - early, MAX_TIMER_SLEEP_MS))
      }
      // Defer even an already-due timer so callers never re-enter themselves synchronously; a due one goes on the
      // next turn (setTimeout(0) would wait about a millisecond).
      const wait = atMs - Date.now()
      if (wait <= 0 || wait < pollWithin) immediate = setImmediate(check)
      else timeout = setTimeout(check, Math.min(wait - early, MAX_TIMER_SLEEP_MS))
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
