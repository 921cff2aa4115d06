// Tests for compileTrigger: each kind's next-fire arithmetic, zones, bounds, past dates and error messages.
import { describe, expect, it } from 'vitest'
import { compileTrigger } from './compile.ts'
import { getCronEvaluator } from './cron-engine.ts'
import { errorOf } from '../testing/scheduling-error-of.ts'

const T = (iso: string): number => Date.parse(iso)
const NOW = T('2026-06-01T12:00:00Z')

/** The next `n` fire times after `fromIso`, as ISO strings. */
function fires(input: unknown, fromIso: string, n: number, nowMs = NOW): string[] {
  const c = compileTrigger(input, { nowMs })
  const out: string[] = []
  let t: number | null = T(fromIso)
  for (let i = 0; i < n; i++) {
    t = c.nextAfter(t)
    if (t === null) break
    out.push(new Date(t).toISOString())
  }
  return out
}

describe('cron', () => {
  it('evaluates 5-field expressions strictly after the reference', () => {
    expect(fires({ type: 'cron', expression: '15 9 * * 1-5' }, '2026-06-05T09:15:00Z', 3)).toEqual([
      '2026-06-08T09:15:00.000Z',
      '2026-06-09T09:15:00.000Z',
      '2026-06-10T09:15:00.000Z',
    ])
  })

  it('evaluates 6-field expressions with seconds', () => {
    expect(fires({ type: 'cron', expression: '*/20 0 12 * * *' }, '2026-06-01T12:00:00.500Z', 3)).toEqual([
      '2026-06-01T12:00:20.000Z',
      '2026-06-01T12:00:40.000Z',
      '2026-06-02T12:00:00.000Z',
    ])
  })

  it('reads the expression as wall-clock time in its zone', () => {
    // June: New York is UTC-4, Kolkata UTC+5:30, Berlin UTC+2.
    expect(
      fires({ type: 'cron', expression: '0 9 * * *', timezone: 'America/New_York' }, '2026-06-01T00:00:00Z', 1),
    ).toEqual(['2026-06-01T13:00:00.000Z'])
    expect(
      fires({ type: 'cron', expression: '0 9 * * *', timezone: 'Asia/Kolkata' }, '2026-06-01T00:00:00Z', 1),
    ).toEqual(['2026-06-01T03:30:00.000Z'])
    expect(fires('daily_at_09:00', '2026-01-15T00:00:00Z', 1)).toEqual(['2026-01-15T09:00:00.000Z'])
    const berlin = compileTrigger('daily_at_09:00', { nowMs: NOW, timezone: 'Europe/Berlin' })
    expect(berlin.nextAfter(T('2026-01-15T00:00:00Z'))).toBe(T('2026-01-15T08:00:00Z'))
    expect(berlin.nextAfter(T('2026-07-15T00:00:00Z'))).toBe(T('2026-07-15T07:00:00Z'))
  })

  it('honours start (inclusive) and end (inclusive), then stops', () => {
    const spec = { type: 'cron', expression: '0 0 * * *', start: '2026-07-01T00:00:00Z', end: '2026-07-03T00:00:00Z' }
    expect(fires(spec, '2026-06-01T00:00:00Z', 5)).toEqual([
      '2026-07-01T00:00:00.000Z',
      '2026-07-02T00:00:00.000Z',
      '2026-07-03T00:00:00.000Z',
    ])
  })

  it('describes itself with its zone and resolves the default zone into the persisted spec', () => {
    const c = compileTrigger({ type: 'cron', expression: '0 3 * * *' }, { nowMs: NOW })
    expect(c.kind).toBe('cron')
    expect(c.describe()).toBe('cron 0 3 * * * (UTC)')
    expect(c.spec).toEqual({ type: 'cron', expression: '0 3 * * *', timezone: 'UTC' })
  })

  it('shares one evaluator between jobs with the same expression and zone', () => {
    expect(getCronEvaluator('7 7 * * *', 'Europe/Berlin')).toBe(getCronEvaluator('7 7 * * *', 'Europe/Berlin'))
    expect(getCronEvaluator('7 7 * * *', 'Europe/Berlin')).not.toBe(getCronEvaluator('7 7 * * *', 'Asia/Tokyo'))
    const a = compileTrigger({ type: 'cron', expression: '7 7 * * *', timezone: 'Europe/Berlin' }, { nowMs: NOW })
    const b = compileTrigger(
      { type: 'cron', expression: '7 7 * * *', timezone: 'Europe/Berlin', start: '2026-08-01T00:00:00Z' },
      { nowMs: NOW },
    )
    // Shared results, per-job bounds.
    expect(a.nextAfter(NOW)).toBe(T('2026-06-02T05:07:00Z'))
    expect(b.nextAfter(NOW)).toBe(T('2026-08-01T05:07:00Z'))
    expect(a.nextAfter(NOW)).toBe(T('2026-06-02T05:07:00Z'))
  })

  it('rejects end not after start, and an end already past', () => {
    const e1 = errorOf(() =>
      compileTrigger(
        { type: 'cron', expression: '0 * * * *', start: '2026-07-02T00:00:00Z', end: '2026-07-01T00:00:00Z' },
        { nowMs: NOW },
      ),
    )
    expect(e1.code).toBe('TRIGGER_RANGE')
    expect(e1.message).toContain('end')
    const e2 = errorOf(() =>
      compileTrigger({ type: 'cron', expression: '0 * * * *', end: '2026-01-01T00:00:00Z' }, { nowMs: NOW }),
    )
    expect(e2.message).toContain('already past')
  })
})

describe('date', () => {
  it('fires once, at its instant', () => {
    const c = compileTrigger({ type: 'date', at: '2026-06-02T10:00:00+02:00' }, { nowMs: NOW })
    expect(c.nextAfter(NOW)).toBe(T('2026-06-02T08:00:00Z'))
    expect(c.nextAfter(T('2026-06-02T08:00:00Z'))).toBeNull()
    expect(c.firstFireAt(NOW)).toBe(T('2026-06-02T08:00:00Z'))
    expect(compileTrigger({ type: 'date', at: NOW + 5 }, { nowMs: NOW }).nextAfter(NOW)).toBe(NOW + 5)
  })

  it('rejects a past date unless allowPastEvents, and then fires it once at once', () => {
    const past = { type: 'date', at: '2026-05-31T12:00:00Z' }
    const err = errorOf(() => compileTrigger(past, { nowMs: NOW }))
    expect(err.code).toBe('TRIGGER_DATE_PAST')
    expect(err.message).toContain('at:')
    expect(err.message).toContain('allowPastEvents')
    const c = compileTrigger(past, { nowMs: NOW, allowPastEvents: true })
    expect(c.firstFireAt(NOW)).toBe(NOW)
    expect(c.nextAfter(NOW)).toBeNull()
  })
})

describe('interval', () => {
  it('fires every period from start, in absolute time', () => {
    expect(
      fires({ type: 'interval', every: 90, unit: 's', start: '2026-06-01T00:00:00Z' }, '2026-05-01T00:00:00Z', 3),
    ).toEqual(['2026-06-01T00:00:00.000Z', '2026-06-01T00:01:30.000Z', '2026-06-01T00:03:00.000Z'])
    expect(
      fires({ type: 'interval', every: 2, unit: 'h', start: '2026-06-01T00:00:00Z' }, '2026-06-01T03:00:00Z', 2),
    ).toEqual(['2026-06-01T04:00:00.000Z', '2026-06-01T06:00:00.000Z'])
  })

  it('without start, first fires one period after now and pins that start in the persisted spec', () => {
    const c = compileTrigger('interval_30m', { nowMs: NOW })
    expect(c.firstFireAt(NOW)).toBe(NOW + 30 * 60_000)
    expect(c.spec).toEqual({ type: 'interval', every: 30, unit: 'min', start: '2026-06-01T12:30:00.000Z' })
    // Recompiling the persisted spec later keeps the phase.
    const again = compileTrigger(c.spec, { nowMs: NOW + 10 * 3_600_000 + 7 })
    expect(again.nextAfter(NOW + 10 * 3_600_000 + 7)).toBe(NOW + 10.5 * 3_600_000)
  })

  it('stops after end and rejects end <= start', () => {
    const spec = {
      type: 'interval',
      every: 1,
      unit: 'days',
      start: '2026-06-02T00:00:00Z',
      end: '2026-06-04T00:00:00Z',
    }
    expect(fires(spec, '2026-06-01T00:00:00Z', 5)).toEqual([
      '2026-06-02T00:00:00.000Z',
      '2026-06-03T00:00:00.000Z',
      '2026-06-04T00:00:00.000Z',
    ])
    const err = errorOf(() => compileTrigger({ ...spec, end: '2026-06-02T00:00:00Z' }, { nowMs: NOW }))
    expect(err.code).toBe('TRIGGER_RANGE')
    expect(err.message).toContain('end')
  })

  it('counts its ticks in a range by arithmetic', () => {
    const c = compileTrigger(
      { type: 'interval', every: 10, unit: 'min', start: '2026-06-01T00:00:00Z' },
      { nowMs: NOW },
    )
    expect(c.countBetween?.(T('2026-06-01T00:00:00Z'), T('2026-06-01T01:00:00Z'))).toBe(6)
    expect(c.countBetween?.(T('2026-05-01T00:00:00Z'), T('2026-06-01T00:00:00Z'))).toBe(1)
    expect(c.countBetween?.(T('2026-06-01T00:05:00Z'), T('2026-06-01T00:09:59Z'))).toBe(0)
  })
})

describe('manual and recurrence', () => {
  it('manual never fires by itself', () => {
    const c = compileTrigger({ type: 'manual' }, { nowMs: NOW })
    expect(c.nextAfter(NOW)).toBeNull()
    expect(c.firstFireAt(NOW)).toBeNull()
    expect(c.describe()).toContain('manual')
  })

  it('recurrence follows RecurrenceRule fields in its zone', () => {
    const rule = { hour: 9, minute: 30, dayOfWeek: [1, 3] }
    expect(fires({ type: 'recurrence', rule, timezone: 'Asia/Tokyo' }, '2026-06-01T00:00:00Z', 3)).toEqual([
      '2026-06-01T00:30:00.000Z',
      '2026-06-03T00:30:00.000Z',
      '2026-06-08T00:30:00.000Z',
    ])
  })
})

describe('triggers that can never fire', () => {
  it('rejects a cron or rule with no future match, unless reloading', () => {
    const feb30 = errorOf(() => compileTrigger({ type: 'cron', expression: '0 0 30 2 *' }, { nowMs: NOW }))
    expect(feb30.code).toBe('TRIGGER_CRON')
    expect(feb30.message).toContain('never fires')
    const pastYear = errorOf(() => compileTrigger({ type: 'recurrence', rule: { year: 2020 } }, { nowMs: NOW }))
    expect(pastYear.code).toBe('TRIGGER_RECURRENCE')
    const window = errorOf(() =>
      compileTrigger({ type: 'cron', expression: '0 0 1 1 *', end: '2026-12-01T00:00:00Z' }, { nowMs: NOW }),
    )
    expect(window.message).toContain('never fires')
    expect(
      compileTrigger({ type: 'recurrence', rule: { year: 2020 } }, { nowMs: NOW, allowPastEvents: true }).nextAfter(
        NOW,
      ),
    ).toBeNull()
  })

  it("rejects '?' in cron, which croner would replace with the time of parsing", () => {
    expect(errorOf(() => compileTrigger({ type: 'cron', expression: '? ? * * *' }, { nowMs: NOW })).message).toContain(
      "'?'",
    )
  })

  it('rejects epoch milliseconds outside the Date range', () => {
    expect(errorOf(() => compileTrigger({ type: 'date', at: 9e15 }, { nowMs: NOW })).message).toContain('at')
  })
})
