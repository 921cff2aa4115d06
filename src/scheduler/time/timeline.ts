// One timer for the whole scheduler: fire times, delayed runs, retry waits and timeouts share one min-heap.
import type { Clock, TimerHandle } from './clock.ts'
import { MinHeap, type HeapEntry } from './min-heap.ts'

interface Counts {
  live: number
  dead: number
}

/**
 * Entries fired per timer turn; more due ones fire on the next turn. A burst of due jobs thus reaches the store
 * in chunks, so a writer thread commits one chunk's starts while this thread prepares the next and runs the last.
 */
const FIRE_CHUNK = 512

/** One entry; it is its own handle (no closure per entry: 100,000 jobs mean 100,000 entries). */
class Entry implements HeapEntry {
  live = true
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: (arg: unknown) => void,
    readonly arg: unknown,
    private readonly counts: Counts,
  ) {}
  cancel(): void {
    if (!this.live) return
    this.live = false
    this.counts.live--
    this.counts.dead++
  }
}

/** A cancellable entry on the timeline. */
export interface TimelineHandle {
  readonly at: number
  cancel(): void
}

/** The scheduler's single timer over a min-heap of callbacks. */
export interface Timeline {
  /** Calls `fn(arg)` at `atMs`; never synchronously, even if `atMs` has passed. */
  at<T>(atMs: number, fn: (arg: T) => void, arg?: T): TimelineHandle
  /** Time of the earliest live entry, or null. */
  nextAt(): number | null
  /** Live entries waiting. */
  size(): number
  /** Stops the timer; entries stay but nothing fires until `resume`. */
  pause(): void
  resume(): void
}

/**
 * Creates a timeline over `clock`; at most one clock timer is armed at any time. `afterFire` runs once after
 * each timer's due entries (the scheduler dispatches there, in the same turn).
 */
export function createTimeline(clock: Clock, afterFire?: () => void): Timeline {
  const heap = new MinHeap<Entry>()
  let seq = 0
  const counts: Counts = { live: 0, dead: 0 }
  let armed: { at: number; handle: TimerHandle } | null = null
  let paused = false

  function popDead() {
    while (heap.peek() && !heap.peek()!.live) {
      heap.pop()
      counts.dead--
    }
  }
  function rearm() {
    popDead()
    const top = heap.peek()
    if (paused || !top) {
      armed?.handle.cancel()
      armed = null
      return
    }
    if (armed && armed.at === top.at) return
    armed?.handle.cancel()
    armed = { at: top.at, handle: clock.setTimer(top.at, onTimer) }
  }
  function onTimer() {
    armed = null
    const now = clock.now()
    for (let fired = 0; fired < FIRE_CHUNK; fired++) {
      popDead()
      const top = heap.peek()
      if (!top || top.at > now || paused) break
      heap.pop()
      top.live = false
      counts.live--
      top.fn(top.arg)
    }
    afterFire?.()
    if (counts.dead > 1024 && counts.dead > counts.live) {
      heap.compact((e) => !e.live)
      counts.dead = 0
    }
    rearm()
  }
  return {
    at(atMs, fn, arg) {
      const e = new Entry(atMs, seq++, fn as (arg: unknown) => void, arg, counts)
      heap.push(e)
      counts.live++
      if (!armed || atMs < armed.at) rearm()
      return e
    },
    nextAt() {
      popDead()
      return heap.peek()?.at ?? null
    },
    size: () => counts.live,
    pause() {
      paused = true
      rearm()
    },
    resume() {
      paused = false
      rearm()
    },
  }
}
