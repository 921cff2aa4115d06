// A controllable clock for tests: time moves only when the test says so, and due timers fire in order.
import type { Clock, TimerHandle } from './clock.ts'

/** A clock whose time is set by the test. */
export interface TestClock extends Clock {
  /** Moves time forward step by step, firing each due timer at its own time, then lets async work settle. */
  advance(ms: number): Promise<void>
  /** Jumps time forward at once (suspend/resume or a wall-clock jump): due timers fire late, at the new time. */
  jump(ms: number): Promise<void>
  /** Lets pending promises and immediates run without moving time. */
  settle(): Promise<void>
  /** How many timers are armed (the scheduler should keep at most one). */
  pendingTimers(): number
}

interface Timer {
  at: number
  seq: number
  fn: () => void
  live: boolean
}

/** Lets queued promise callbacks and setImmediate work run a few rounds (async handlers, batch flushes). */
async function drain(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r))
}

/** Creates a test clock starting at `startMs`. */
export function createTestClock(startMs = Date.UTC(2026, 0, 1)): TestClock {
  let now = startMs
  let seq = 0
  const timers: Timer[] = []

  function nextDue(limit: number): Timer | undefined {
    let best: Timer | undefined
    for (const t of timers) {
      if (!t.live || t.at > limit) continue
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    }
    return best
  }
  async function fireDueUpTo(limit: number, moveTime: boolean) {
    await drain()
    for (;;) {
      const t = nextDue(limit)
      if (!t) break
      if (moveTime && t.at > now) now = t.at
      t.live = false
      timers.splice(timers.indexOf(t), 1)
      t.fn()
      await drain()
    }
  }
  return {
    now: () => now,
    setTimer(atMs, fn): TimerHandle {
      const t: Timer = { at: atMs, seq: seq++, fn, live: true }
      timers.push(t)
      return {
        cancel() {
          if (!t.live) return
          t.live = false
          timers.splice(timers.indexOf(t), 1)
        },
      }
    },
    async advance(ms) {
      const target = now + ms
      await fireDueUpTo(target, true)
      now = target
      await drain()
    },
    async jump(ms) {
      now += ms
      await fireDueUpTo(now, false)
    },
    settle: () => drain(),
    pendingTimers: () => timers.filter((t) => t.live).length,
  }
}
