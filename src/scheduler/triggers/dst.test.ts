// DST rules with real IANA zones: skipped and repeated hours, walked with nextAfter across transition days.
import { describe, expect, it } from 'vitest'
import { compileTrigger } from './compile.ts'

const T = (iso: string): number => Date.parse(iso)
const NOW = T('2026-01-01T00:00:00Z')

/** Every fire in [fromIso, toIso), as UTC ISO strings. */
function firesBetween(input: unknown, fromIso: string, toIso: string, timezone?: string): string[] {
  const c = compileTrigger(input, { nowMs: NOW, timezone })
  const out: string[] = []
  let t = c.nextAfter(T(fromIso) - 1)
  while (t !== null && t < T(toIso)) {
    out.push(new Date(t).toISOString())
    t = c.nextAfter(t)
  }
  return out
}

const dateFormats = new Map<string, Intl.DateTimeFormat>()
function localDate(ms: number, tz: string): string {
  let f = dateFormats.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
    dateFormats.set(tz, f)
  }
  return f.format(ms)
}

/** Consecutive daily fires are 22-26 h apart: never two in one day, never a day skipped. */
function expectDailyGaps(fires: number[]): void {
  for (let i = 1; i < fires.length; i++) {
    const gapH = ((fires[i] as number) - (fires[i - 1] as number)) / 3_600_000
    expect(gapH).toBeGreaterThanOrEqual(22)
    expect(gapH).toBeLessThanOrEqual(26)
  }
}

describe('spring forward (skipped hour)', () => {
  // America/New_York 2026-03-08: 02:00 EST -> 03:00 EDT (07:00Z). Europe/Berlin 2026-03-29: 02:00 CET -> 03:00 CEST (01:00Z).
  it('a daily job in the skipped hour runs once that day, at the first instant after the gap', () => {
    expect(
      firesBetween(
        { type: 'cron', expression: '30 2 * * *', timezone: 'America/New_York' },
        '2026-03-07T00:00:00Z',
        '2026-03-10T00:00:00Z',
      ),
    ).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'])
    expect(firesBetween('daily_at_02:30', '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z', 'Europe/Berlin')).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ])
  })

  it('also for jobs listing several hours, and for every matching time inside the gap (merged into one run)', () => {
    expect(
      firesBetween(
        { type: 'cron', expression: '30 2,14 * * *', timezone: 'America/New_York' },
        '2026-03-08T00:00:00Z',
        '2026-03-09T00:00:00Z',
      ),
    ).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-08T18:30:00.000Z'])
    expect(
      firesBetween(
        { type: 'cron', expression: '*/15 2 * * *', timezone: 'America/New_York' },
        '2026-03-08T00:00:00Z',
        '2026-03-09T00:00:00Z',
      ),
    ).toEqual(['2026-03-08T07:00:00.000Z'])
  })

  it('elapsed-time jobs (* in the hour) skip the nonexistent times and keep their rhythm', () => {
    expect(
      firesBetween(
        { type: 'cron', expression: '*/30 * * * *', timezone: 'America/New_York' },
        '2026-03-08T06:00:00Z',
        '2026-03-08T08:00:00Z',
      ),
    ).toEqual([
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T06:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T07:30:00.000Z',
    ])
  })
})

describe('fall back (repeated hour)', () => {
  // America/New_York 2026-11-01: 02:00 EDT -> 01:00 EST (06:00Z). Europe/Berlin 2026-10-25: 03:00 CEST -> 02:00 CET (01:00Z).
  it('a daily job in the repeated hour runs once, at the first occurrence', () => {
    expect(
      firesBetween(
        { type: 'cron', expression: '30 1 * * *', timezone: 'America/New_York' },
        '2026-10-31T00:00:00Z',
        '2026-11-03T00:00:00Z',
      ),
    ).toEqual(['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'])
    expect(firesBetween('daily_at_02:30', '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z', 'Europe/Berlin')).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ])
  })

  it('a reference inside the second pass does not fire the repeated time again', () => {
    const c = compileTrigger({ type: 'cron', expression: '30 1 * * *', timezone: 'America/New_York' }, { nowMs: NOW })
    // 06:10Z is 01:10 EST, the second pass; 01:30 already ran at 05:30Z.
    expect(c.nextAfter(T('2026-11-01T06:10:00Z'))).toBe(T('2026-11-02T06:30:00Z'))
  })

  it('elapsed-time jobs fire in both passes, so "every 30 minutes" stays every 30 minutes', () => {
    expect(
      firesBetween(
        { type: 'cron', expression: '*/30 * * * *', timezone: 'America/New_York' },
        '2026-11-01T05:00:00Z',
        '2026-11-01T07:00:00Z',
      ),
    ).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:30:00.000Z',
    ])
    expect(firesBetween('hourly', '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z', 'Europe/Berlin')).toEqual([
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ])
  })
})

describe('around every 2026 transition, several zones', () => {
  // Windows cover both transitions of each zone (north: Mar and Oct/Nov; Santiago, Lord Howe: Apr and Sep/Oct).
  const zones = [
    'America/New_York',
    'Europe/Berlin',
    'Australia/Lord_Howe',
    'America/Santiago',
    'Asia/Tokyo',
    'America/Havana',
  ]
  for (const tz of zones) {
    for (const pattern of ['daily', 'daily_at_02:30', 'daily_at_01:30']) {
      it(`${pattern} in ${tz} runs exactly once per local day`, () => {
        for (const [from, to, days] of [
          ['2026-03-01T12:00:00Z', '2026-04-15T12:00:00Z', 45],
          ['2026-09-01T12:00:00Z', '2026-11-10T12:00:00Z', 70],
        ] as const) {
          const fires = firesBetween(pattern, from, to, tz).map(T)
          expect(new Set(fires.map((t) => localDate(t, tz))).size).toBe(fires.length)
          expect(Math.abs(fires.length - days)).toBeLessThanOrEqual(1)
          expectDailyGaps(fires)
        }
      })
    }
  }
})

describe('intervals ignore DST', () => {
  it('interval_1d stays 24 h apart across the spring and fall transitions', () => {
    const spec = { type: 'interval', every: 1, unit: 'days', start: '2026-03-07T07:00:00Z' }
    const fires = firesBetween(spec, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')
    expect(fires).toEqual(['2026-03-07T07:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T07:00:00.000Z'])
  })

  it('daily short patterns follow the wall clock instead', () => {
    // 09:00 New York: 14:00Z in winter, 13:00Z after the spring transition.
    expect(firesBetween('daily_at_09:00', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', 'America/New_York')).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ])
  })
})

describe('elapsed-time jobs with rare matches across transitions', () => {
  it('an hourly-on-one-day pattern months away uses the offset in effect then', () => {
    // From winter, the next July 1 fires are in CEST (UTC+2): 00:00 local = 22:00Z on June 30.
    expect(
      firesBetween(
        { type: 'cron', expression: '0 * 1 7 *', timezone: 'Europe/Berlin' },
        '2026-01-10T00:00:00Z',
        '2026-06-30T23:30:00Z',
      ),
    ).toEqual(['2026-06-30T22:00:00.000Z', '2026-06-30T23:00:00.000Z'])
    // From summer, the next Dec 25 fires are in CET (UTC+1).
    expect(
      firesBetween(
        { type: 'cron', expression: '30 */12 25 12 *', timezone: 'Europe/Berlin' },
        '2026-07-01T00:00:00Z',
        '2026-12-26T00:00:00Z',
      ),
    ).toEqual(['2026-12-24T23:30:00.000Z', '2026-12-25T11:30:00.000Z'])
  })
})
