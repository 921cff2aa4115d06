// The real clock: never fires before its time, and a cancelled timer never fires.
import { describe, expect, it } from 'vitest'
import { createRealClock, POLL_LAST_MS } from './clock.ts'

describe('real clock', () => {
  it('fires each timer at or after its time, never before', async () => {
    const clock = createRealClock()
    const base = Date.now() + 20
    const fired = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          new Promise<[number, number]>((resolve) => {
            const at = base + i * 3
            clock.setTimer(at, () => resolve([at, Date.now()]))
          }),
      ),
    )
    for (const [at, when] of fired) expect(when).toBeGreaterThanOrEqual(at)
  })

  it('never fires early when it sleeps to each fire time (wakeEarlyMs 0) or polls a dense stretch (default)', async () => {
    for (const clock of [createRealClock({ wakeEarlyMs: 0 }), createRealClock()]) {
      const base = Date.now() + 15
      const fired = await Promise.all(
        Array.from(
          { length: 30 },
          (_, i) =>
            new Promise<[number, number]>((resolve) => {
              const at = base + i * 2
              clock.setTimer(at, () => resolve([at, Date.now()]))
            }),
        ),
      )
      for (const [at, when] of fired) expect(when).toBeGreaterThanOrEqual(at)
    }
  })

  it('cancels a timer while it sleeps and one due within its polling window', async () => {
    const clock = createRealClock()
    let fired = 0
    clock.setTimer(Date.now() + 30, () => fired++).cancel()
    clock.setTimer(Date.now() + POLL_LAST_MS, () => fired++).cancel()
    let kept = 0
    clock.setTimer(Date.now() + POLL_LAST_MS, () => kept++)
    await new Promise((r) => setTimeout(r, 50))
    expect(fired).toBe(0)
    expect(kept).toBe(1)
  })
})
