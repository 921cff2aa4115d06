// Tests for misfire coalescing: one run at most for the latest passed fire, the rest counted as missed.
import { describe, expect, it } from 'vitest'
import { coalesceMissed, latestFireIn } from './coalesce.ts'
import { compileTrigger } from './compile.ts'
import type { TriggerSchedule } from './types.ts'

const T = (iso: string): number => Date.parse(iso)
const MIN = 60_000
const START = T('2026-01-01T00:00:00Z')
const every10 = compileTrigger(
  { type: 'interval', every: 10, unit: 'min', start: '2026-01-01T00:00:00Z' },
  { nowMs: START },
)

describe('coalesceMissed', () => {
  it('a gap of 3 intervals within grace gives 1 run (the latest) and 2 missed', () => {
    const now = START + 30 * MIN + 5_000
    expect(coalesceMissed(every10, START, now, MIN)).toEqual({
      runAt: START + 30 * MIN,
      missedCount: 2,
      missedCountExact: true,
      latestMissed: START + 20 * MIN,
      next: START + 40 * MIN,
    })
  })

  it('outside grace nothing runs and all are missed', () => {
    const now = START + 30 * MIN + 2 * MIN
    expect(coalesceMissed(every10, START, now, MIN)).toEqual({
      runAt: null,
      missedCount: 3,
      missedCountExact: true,
      latestMissed: START + 30 * MIN,
      next: START + 40 * MIN,
    })
  })

  it('grace is inclusive, and one due fire with no gap is just a run', () => {
    expect(coalesceMissed(every10, START, START + 10 * MIN + MIN, MIN)).toMatchObject({
      runAt: START + 10 * MIN,
      missedCount: 0,
      latestMissed: null,
    })
  })

  it('agrees with a brute-force walk of the fire times for any window and grace (one due fire or many)', () => {
    const cron = compileTrigger({ type: 'cron', expression: '*/7 * * * *' }, { nowMs: START })
    let seed = 42
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n)
    for (let i = 0; i < 500; i++) {
      const from = START + rand(600) * 1_000
      const now = from + rand(i % 2 ? 8 * MIN : 40 * MIN)
      const grace = rand(5 * MIN)
      const fires: number[] = []
      for (let t = cron.nextAfter(from); t !== null && t <= now; t = cron.nextAfter(t)) fires.push(t)
      const last = fires.at(-1) ?? null
      const runs = last !== null && now - last <= grace
      expect(coalesceMissed(cron, from, now, grace)).toEqual({
        runAt: runs ? last : null,
        missedCount: fires.length - (runs ? 1 : 0),
        missedCountExact: true,
        latestMissed: (runs ? fires.at(-2) : last) ?? null,
        next: cron.nextAfter(now),
      })
    }
  })

  it('nothing due yet gives nothing to run', () => {
    expect(coalesceMissed(every10, START, START + 5 * MIN, MIN)).toEqual({
      runAt: null,
      missedCount: 0,
      missedCountExact: true,
      latestMissed: null,
      next: START + 10 * MIN,
    })
    expect(coalesceMissed(every10, START + 10 * MIN, START + 10 * MIN, MIN).runAt).toBeNull()
  })

  it('handles a ten-year gap of a 1-second interval by arithmetic (315 million ticks, never iterated)', () => {
    const everySecond = compileTrigger(
      { type: 'interval', every: 1, unit: 's', start: '2026-01-01T00:00:00Z' },
      { nowMs: START },
    )
    const now = T('2036-01-01T00:00:00.500Z')
    // The walk-free path only calls nextAfter a few dozen times.
    let calls = 0
    const counted: TriggerSchedule & { countBetween?: (a: number, b: number) => number } = {
      kind: everySecond.kind,
      describe: () => everySecond.describe(),
      nextAfter: (ms) => {
        calls++
        return everySecond.nextAfter(ms)
      },
      countBetween: (a, b) => everySecond.countBetween?.(a, b) ?? -1,
    }
    const r = coalesceMissed(counted, START, now, 1_000)
    const ticks = (T('2036-01-01T00:00:00Z') - START) / 1000
    expect(r).toEqual({
      runAt: T('2036-01-01T00:00:00Z'),
      missedCount: ticks - 1,
      missedCountExact: true,
      latestMissed: T('2035-12-31T23:59:59Z'),
      next: T('2036-01-01T00:00:01Z'),
    })
    expect(calls).toBeLessThan(200)
  })

  it('for cron over a huge gap, caps the walk but still finds the exact latest fire', () => {
    const minutely = compileTrigger({ type: 'cron', expression: '* * * * *' }, { nowMs: START })
    const now = T('2027-03-04T05:06:30Z')
    const r = coalesceMissed(minutely, START, now, MIN)
    expect(r.runAt).toBe(T('2027-03-04T05:06:00Z'))
    expect(r.latestMissed).toBe(T('2027-03-04T05:05:00Z'))
    expect(r.missedCountExact).toBe(false)
    expect(r.missedCount).toBeGreaterThanOrEqual(999)
    expect(r.next).toBe(T('2027-03-04T05:07:00Z'))
  })

  it('for cron over a short gap counts exactly, also in a zone', () => {
    const daily = compileTrigger({ type: 'cron', expression: '0 9 * * *', timezone: 'Europe/Berlin' }, { nowMs: START })
    // Fires in (Jan 1 08:00, Jan 5 08:00:30] are Jan 2, 3, 4, 5: the last runs, three are missed.
    const r = coalesceMissed(daily, T('2026-01-01T08:00:00Z'), T('2026-01-05T08:00:30Z'), MIN)
    expect(r).toEqual({
      runAt: T('2026-01-05T08:00:00Z'),
      missedCount: 3,
      missedCountExact: true,
      latestMissed: T('2026-01-04T08:00:00Z'),
      next: T('2026-01-06T08:00:00Z'),
    })
  })

  it('a one-shot date passed during downtime runs only within grace', () => {
    const at = T('2026-01-02T00:00:00Z')
    const date = compileTrigger({ type: 'date', at }, { nowMs: START })
    expect(coalesceMissed(date, START, at + 30_000, MIN)).toEqual({
      runAt: at,
      missedCount: 0,
      missedCountExact: true,
      latestMissed: null,
      next: null,
    })
    expect(coalesceMissed(date, START, at + 2 * MIN, MIN)).toEqual({
      runAt: null,
      missedCount: 1,
      missedCountExact: true,
      latestMissed: at,
      next: null,
    })
  })

  it('manual triggers never have misfires', () => {
    const manual = compileTrigger({ type: 'manual' }, { nowMs: START })
    expect(coalesceMissed(manual, START, START + 1e12, MIN)).toEqual({
      runAt: null,
      missedCount: 0,
      missedCountExact: true,
      latestMissed: null,
      next: null,
    })
  })

  it('after a clock jump backwards (now before lastFire) reports nothing due', () => {
    expect(coalesceMissed(every10, START + 60 * MIN, START + 30 * MIN, MIN)).toMatchObject({
      runAt: null,
      missedCount: 0,
      next: START + 40 * MIN,
    })
  })
})

describe('latestFireIn', () => {
  it('finds the latest fire in (from, to] by bisection', () => {
    const weekly = compileTrigger('weekly', { nowMs: START })
    expect(latestFireIn(weekly, START, T('2026-03-01T12:00:00Z'))).toBe(T('2026-03-01T00:00:00Z'))
    expect(latestFireIn(weekly, START, T('2026-01-03T00:00:00Z'))).toBeNull()
  })
})
