// Tests for trigger spec validation and the short patterns' normalization to object form.
import { describe, expect, it } from 'vitest'
import { normalizeTrigger, triggerOptionsSchema, triggerSpecSchema } from './spec.ts'
import { errorOf } from '../testing/scheduling-error-of.ts'

describe('short patterns', () => {
  it.each([
    ['hourly', { type: 'cron', expression: '0 * * * *', timezone: 'UTC' }],
    ['daily', { type: 'cron', expression: '0 0 * * *', timezone: 'UTC' }],
    ['weekly', { type: 'cron', expression: '0 0 * * 0', timezone: 'UTC' }],
    ['daily_at_09:05', { type: 'cron', expression: '5 9 * * *', timezone: 'UTC' }],
    ['daily_at_00:00', { type: 'cron', expression: '0 0 * * *', timezone: 'UTC' }],
    ['daily_at_23:59', { type: 'cron', expression: '59 23 * * *', timezone: 'UTC' }],
    ['interval_30m', { type: 'interval', every: 30, unit: 'min' }],
    ['interval_2h', { type: 'interval', every: 2, unit: 'h' }],
    ['interval_45s', { type: 'interval', every: 45, unit: 's' }],
    ['interval_3d', { type: 'interval', every: 3, unit: 'days' }],
    ['manual', { type: 'manual' }],
  ])('%s normalizes to its object form', (pattern, expected) => {
    expect(normalizeTrigger(pattern)).toEqual(expected)
  })

  it('uses the given zone for wall-clock short patterns', () => {
    expect(normalizeTrigger('daily_at_07:30', { timezone: 'Europe/Berlin' })).toEqual({
      type: 'cron',
      expression: '30 7 * * *',
      timezone: 'Europe/Berlin',
    })
  })

  it.each(['daily_at_24:00', 'daily_at_12:60', 'daily_at_9:00'])('rejects the impossible or malformed time %s', (p) => {
    const err = errorOf(() => normalizeTrigger(p))
    expect(err.code).toBe('TRIGGER_PATTERN')
    expect(err.message).toContain(p)
  })

  it.each(['every_day', 'interval_30', 'interval_m', 'interval_5w', 'Hourly', ''])(
    'rejects the unknown pattern %j and lists the valid ones',
    (p) => {
      const err = errorOf(() => normalizeTrigger(p))
      expect(err.code).toBe('TRIGGER_PATTERN')
      expect(err.message).toContain('daily_at_HH:MM')
    },
  )

  it('rejects interval_0m as a non-positive period', () => {
    expect(errorOf(() => normalizeTrigger('interval_0m')).code).toBe('TRIGGER_RANGE')
  })

  it('rejects an unknown zone for short patterns', () => {
    expect(errorOf(() => normalizeTrigger('daily', { timezone: 'Mars/Olympus' })).code).toBe('TRIGGER_TIMEZONE')
  })
})

describe('object specs', () => {
  it('accepts each kind in its persisted JSON form', () => {
    const specs = [
      {
        type: 'cron',
        expression: '0 9 * * 1-5',
        timezone: 'America/New_York',
        start: '2026-01-01T00:00:00Z',
        end: '2027-01-01T00:00:00+01:00',
      },
      { type: 'cron', expression: '*/10 * * * * *' },
      { type: 'date', at: '2026-12-24T18:00:00.000+01:00' },
      { type: 'date', at: 1_800_000_000_000 },
      { type: 'interval', every: 5, unit: 'min', start: 1_800_000_000_000 },
      { type: 'manual' },
      {
        type: 'recurrence',
        rule: { hour: 9, minute: [0, { start: 30, end: 45, step: 15 }], dayOfWeek: { start: 1, end: 5 } },
        timezone: 'Asia/Tokyo',
      },
    ]
    for (const s of specs) expect(normalizeTrigger(JSON.parse(JSON.stringify(s)))).toEqual(s)
  })

  it('names the cron field that is wrong', () => {
    const cases: Array<[string, string]> = [
      ['61 * * * *', 'minute'],
      ['* 24 * * *', 'hour'],
      ['* * 32 * *', 'day-of-month'],
      ['* * * 13 *', 'month'],
      ['* * * * 9', 'day-of-week'],
      ['60 * * * * *', 'second'],
      ['0 0 0 * * 8', 'day-of-week'],
    ]
    for (const [expression, field] of cases) {
      const err = errorOf(() => normalizeTrigger({ type: 'cron', expression }))
      expect(err.code).toBe('TRIGGER_CRON')
      expect(err.message).toContain(`bad ${field} field`)
      expect(err.details).toMatchObject({ field: 'expression' })
    }
  })

  it.each(['* * * *', '0 0 0 * * * *', '@daily'])('rejects %j for its field count', (expression) => {
    const err = errorOf(() => normalizeTrigger({ type: 'cron', expression }))
    expect(err.code).toBe('TRIGGER_CRON')
    expect(err.message).toMatch(/5 fields .* or 6/)
  })

  it('rejects an unknown IANA zone', () => {
    const err = errorOf(() => normalizeTrigger({ type: 'cron', expression: '0 9 * * *', timezone: 'Europe/Atlantis' }))
    expect(err.code).toBe('TRIGGER_TIMEZONE')
    expect(err.message).toContain('timezone')
  })

  it('rejects a date-time without a zone, since it would depend on the host', () => {
    const err = errorOf(() => normalizeTrigger({ type: 'date', at: '2027-01-01T09:00:00' }))
    expect(err.message).toContain('at:')
    expect(err.message).toContain('offset')
  })

  it('rejects a non-positive or fractional interval, naming every', () => {
    for (const every of [0, -5]) {
      const err = errorOf(() => normalizeTrigger({ type: 'interval', every, unit: 'h' }))
      expect(err.code).toBe('TRIGGER_RANGE')
      expect(err.message).toContain('every')
    }
    expect(errorOf(() => normalizeTrigger({ type: 'interval', every: 1.5, unit: 'h' })).message).toContain('every')
    expect(errorOf(() => normalizeTrigger({ type: 'interval', every: 1, unit: 'weeks' })).message).toContain('unit')
  })

  it('rejects unknown kinds and unknown keys', () => {
    expect(errorOf(() => normalizeTrigger({ type: 'sometimes' })).code).toBe('TRIGGER_INVALID')
    expect(errorOf(() => normalizeTrigger({ type: 'manual', every: 3 })).message).toContain('every')
    expect(errorOf(() => normalizeTrigger(42)).code).toBe('TRIGGER_INVALID')
  })

  it('rejects recurrence fields outside their ranges, naming the field', () => {
    const month = errorOf(() => normalizeTrigger({ type: 'recurrence', rule: { month: 12 } }))
    expect(month.code).toBe('TRIGGER_RECURRENCE')
    expect(month.message).toContain('rule.month')
    expect(errorOf(() => normalizeTrigger({ type: 'recurrence', rule: { hour: [1, 24] } })).message).toContain(
      'rule.hour',
    )
    expect(
      errorOf(() => normalizeTrigger({ type: 'recurrence', rule: { minute: { start: 5, end: 5, step: 2 } } })).message,
    ).toContain('matches no value')
  })

  it('exposes the plain object schema for embedding in job schemas', () => {
    expect(triggerSpecSchema.safeParse({ type: 'manual' }).success).toBe(true)
    expect(triggerSpecSchema.safeParse('daily').success).toBe(false)
  })
})

describe('trigger options', () => {
  it('applies defaults and rejects bad values', () => {
    expect(triggerOptionsSchema.parse({})).toEqual({
      misfireGraceTime: 60_000,
      allowPastEvents: false,
      timezone: 'UTC',
    })
    expect(triggerOptionsSchema.parse({ maxExecutions: 3, timezone: 'Asia/Kolkata' })).toMatchObject({
      maxExecutions: 3,
      timezone: 'Asia/Kolkata',
    })
    expect(triggerOptionsSchema.safeParse({ maxExecutions: 0 }).success).toBe(false)
    expect(triggerOptionsSchema.safeParse({ misfireGraceTime: -1 }).success).toBe(false)
    expect(triggerOptionsSchema.safeParse({ timezone: 'Nowhere/Land' }).success).toBe(false)
  })
})
