// The config's trigger field speaks the scheduler's grammar: the same triggers are accepted and refused by both.
import { describe, expect, it } from 'vitest'
import { normalizeTrigger, parseShortPattern } from '../scheduler/index.ts'
import { toConfigIssues } from './issues.ts'
import { triggerSchema } from './triggers.ts'

describe('config triggers', () => {
  it.each(['manual', 'hourly', 'daily', 'weekly', 'daily_at_09:30', 'interval_30m', 'interval_45s'])(
    'accepts %s, and the scheduler compiles the same string',
    (pattern) => {
      expect(triggerSchema.safeParse(pattern).success).toBe(true)
      expect(() => parseShortPattern(pattern)).not.toThrow()
    },
  )

  it.each(['every_5m', 'daily_at_24:00', 'interval_0m', 'interval_5w', ''])(
    'refuses %j with the list of short patterns',
    (pattern) => {
      const result = triggerSchema.safeParse(pattern)
      expect(result.success).toBe(false)
      expect(JSON.stringify(result.error?.issues)).toContain('daily_at_HH:MM')
    },
  )

  it('refuses an unknown time zone on a cron trigger', () => {
    expect(triggerSchema.safeParse({ type: 'cron', expression: '0 9 * * *', timezone: 'Mars/Olympus' }).success).toBe(
      false,
    )
    expect(triggerSchema.safeParse({ type: 'cron', expression: '0 9 * * *', timezone: 'Europe/Berlin' }).success).toBe(
      true,
    )
  })
})

/** The config's date trigger carries allowPastEvents, which the scheduler takes beside the trigger (see triggerOf). */
function withoutConfigOptions(t: unknown): unknown {
  if (typeof t !== 'object' || t === null || !('allowPastEvents' in t)) return t
  const { allowPastEvents: _, ...rest } = t as Record<string, unknown>
  return rest
}

function schedulerAccepts(t: unknown): boolean {
  try {
    normalizeTrigger(withoutConfigOptions(t))
    return true
  } catch {
    return false
  }
}

// One table run through both: the config must accept exactly what the scheduler accepts.
const ACCEPTED: unknown[] = [
  'hourly',
  'manual',
  'daily_at_09:30',
  'interval_30m',
  'interval_2d',
  { type: 'cron', expression: '30 9 * * 1-5' },
  { type: 'cron', expression: '0 30 9 * * *', timezone: 'Europe/Berlin' },
  { type: 'cron', expression: '0 9 * * *', start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
  { type: 'date', at: '2026-12-01T09:00:00Z' },
  { type: 'date', at: '2026-12-01T09:00:00+01:00', allowPastEvents: true },
  { type: 'date', at: 1_800_000_000_000 },
  { type: 'interval', every: 30, unit: 's' },
  { type: 'interval', every: 5, unit: 'm' },
  { type: 'interval', every: 5, unit: 'min' },
  { type: 'interval', every: 2, unit: 'h' },
  { type: 'interval', every: 1, unit: 'd' },
  { type: 'interval', every: 1, unit: 'days', start: '2026-12-01T09:00:00Z' },
  { type: 'manual' },
  { type: 'recurrence', rule: { hour: 9, minute: 30 }, timezone: 'Europe/Berlin' },
  { type: 'event', on: { kind: 'job', job: 'swap', outcome: 'succeeded' }, debounce: 60_000 },
]
const REFUSED: unknown[] = [
  'every_5m',
  'interval_0m',
  'interval_5w',
  'daily_at_24:00',
  '',
  { type: 'cron', expression: '* *' },
  { type: 'cron', expression: '0 9 ? * *' },
  { type: 'cron', expression: '0 9 * * *', timezone: 'Mars/Olympus' },
  { type: 'date', at: '2027-01-01T09:00:00' },
  { type: 'date', at: 'tomorrow' },
  { type: 'interval', every: 0, unit: 'h' },
  { type: 'interval', every: 1.5, unit: 'h' },
  { type: 'interval', every: 1, unit: 'weeks' },
  { type: 'interval', every: 1, unit: 'M' },
  { type: 'interval', every: 1, unit: 'h', jitter: 5 },
  { type: 'manual', every: 3 },
  { type: 'recurrence', rule: { month: 12 } },
  { type: 'event', on: { kind: 'job', job: 'swap', outcome: 'maybe' } },
  { type: 'sometimes' },
  42,
  null,
]

describe('config and scheduler speak one trigger grammar', () => {
  it.each(ACCEPTED.map((t) => [JSON.stringify(t), t]))('both accept %s', (_, t) => {
    const parsed = triggerSchema.safeParse(t)
    expect(parsed.success).toBe(true)
    expect(schedulerAccepts(t)).toBe(true)
    // What the config hands on is already in the scheduler's normal form.
    const handed = withoutConfigOptions(parsed.data)
    if (typeof handed !== 'string') expect(normalizeTrigger(handed)).toEqual(handed)
  })

  it.each(REFUSED.map((t) => [JSON.stringify(t), t]))('both refuse %s', (_, t) => {
    expect(triggerSchema.safeParse(t).success).toBe(false)
    expect(schedulerAccepts(t)).toBe(false)
  })

  it('maps the unit aliases m and d to min and days, as the short patterns do', () => {
    expect(triggerSchema.parse({ type: 'interval', every: 5, unit: 'm' })).toEqual({
      type: 'interval',
      every: 5,
      unit: 'min',
    })
    expect(triggerSchema.parse({ type: 'interval', every: 1, unit: 'd' })).toMatchObject({ unit: 'days' })
    expect(normalizeTrigger('interval_5m')).toEqual({ type: 'interval', every: 5, unit: 'min' })
  })

  it('names the bad field and the units it accepts in the config error', () => {
    const input = { type: 'interval', every: 1, unit: 'weeks' }
    const result = triggerSchema.safeParse(input)
    const issues = toConfigIssues(result.error?.issues ?? [], triggerSchema, new Set(), input)
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toBe('unit')
    expect(issues[0]?.message).toContain('"s", "min", "h", "days" (or "m" for min, "d" for days)')
  })

  it('keeps allowPastEvents on a config date trigger, false unless given', () => {
    expect(triggerSchema.parse({ type: 'date', at: '2026-12-01T09:00:00Z' })).toMatchObject({ allowPastEvents: false })
    expect(triggerSchema.parse({ type: 'date', at: '2026-12-01T09:00:00Z', allowPastEvents: true })).toMatchObject({
      allowPastEvents: true,
    })
  })

  it('still requires the bot event kinds their own fields, beyond the scheduler spec', () => {
    expect(triggerSchema.safeParse({ type: 'event', on: { kind: 'gas', chainId: 1, belowGwei: 5 } }).success).toBe(true)
    expect(triggerSchema.safeParse({ type: 'event', on: { kind: 'gas', chainId: 1 } }).success).toBe(false)
  })
})
