// One timer for the whole scheduler: fire times, delayed runs, retry waits and timeouts share one min-heap.
import type { Clock, TimerHandle } from './clock.ts'
import { MinHeap, type HeapEntry } from './min-heap.ts'

interface Entry extends HeapEntry {
  fn: () => void
  live: boolean
}

/** A cancellable entry on the timeline. */
export interface TimelineHandle {
  readonly at: number
  cancel(): void
}

/** The scheduler's single timer over a min-heap of callbacks. */
export interface Timeline {
  /** Calls `fn` at `atMs`; never synchronously, even if `atMs` has passed. */
  at(atMs: number, fn: () => void): TimelineHandle
  /** Time of the earliest live entry, or null. */
  nextAt(): number | null
  /** Live entries waiting. */
  size(): number
  /** Stops the timer; entries stay but nothing fires until `resume`. */
  pause(): void
  resume(): void
}

/** Creates a timeline over `clock`; at most one clock timer is armed at any time. */
export function createTimeline(clock: Clock): Timeline {
  const heap = new MinHeap<Entry>()
  let seq = 0
  let live = 0
  let dead = 0
  let armed: { at: number; handle: TimerHandle } | null = null
  let paused = false

  function popDead() {
    while (heap.peek() && !heap.peek()!.live) {
      heap.pop()
      dead--
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
    for (;;) {
      popDead()
      const top = heap.peek()
      if (!top || top.at > now || paused) break
      heap.pop()
      top.live = false
      live--
      top.fn()
    }
    if (dead > 1024 && dead > live) {
      heap.compact((e) => !e.live)
      dead = 0
    }
    rearm()
  }
  return {
    at(atMs, fn) {
      const e: Entry = { at: atMs, seq: seq++, fn, live: true }
      heap.push(e)
      live++
      if (!armed || atMs < armed.at) rearm()
      return {
        at: atMs,
        cancel() {
          if (!e.live) return
          e.live = false
          live--
          dead++
        },
      }
    },
    nextAt() {
      popDead()
      return heap.peek()?.at ?? null
    },
    size: () => live,
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
