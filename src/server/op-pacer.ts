// Paces the HTTP worker's calls on the scheduler's thread: one call per event-loop turn, so a due timer runs between
// two calls rather than after a whole burst of them, and none in the few ms before the scheduler's next timer is due.

/** Options of createOpPacer. */
export interface OpPacerOptions {
  /** When the scheduler's next timer is due (epoch ms), or null. */
  nextWakeAt(): number | null
  /** Calls wait while that timer is due within this many ms (default 5: longer than most calls take). */
  guardMs?: number
  /** A waiting call is served after this many ms whatever is due (a paused or busy timeline cannot starve the API). */
  maxHoldMs?: number
  now?: () => number
}

/** Runs queued calls in order, paced. A call must not throw (the API answers its errors to the worker). */
export interface OpPacer {
  push(call: () => void): void
  /** Calls queued and not started yet. */
  readonly size: number
}

/** Creates a pacer; a call runs on a later turn, never synchronously inside push. */
export function createOpPacer(o: OpPacerOptions): OpPacer {
  const guardMs = o.guardMs ?? 5
  const maxHoldMs = o.maxHoldMs ?? 50
  const now = o.now ?? Date.now
  const queue: (() => void)[] = []
  let head = 0
  let scheduled = false
  /** Since when the head of the queue has been held back for a due timer, or null. */
  let heldSince: number | null = null

  const schedule = (delayMs: number) => {
    scheduled = true
    if (delayMs > 0) setTimeout(pump, delayMs)
    else setImmediate(pump)
  }
  function pump() {
    scheduled = false
    if (head === queue.length) return
    const t = now()
    const wake = o.nextWakeAt()
    // A timer due within the guard (or due and not yet fired) goes first: wait until just after it. Timers of the
    // same due time fire in the order armed, so this one's turn comes after the scheduler's.
    if (
      wake !== null &&
      wake - t <= guardMs &&
      wake >= t - guardMs &&
      (heldSince === null || t - heldSince < maxHoldMs)
    ) {
      heldSince ??= t
      schedule(Math.max(1, wake - t + 1))
      return
    }
    heldSince = null
    const call = queue[head]!
    queue[head++] = undefined as unknown as () => void
    if (head === queue.length) {
      queue.length = 0
      head = 0
    }
    try {
      call()
    } finally {
      if (head < queue.length && !scheduled) schedule(0)
    }
  }
  return {
    push(call) {
      queue.push(call)
      if (!scheduled) schedule(0)
    },
    get size() {
      return queue.length - head
    },
  }
}
