// The config's trigger field speaks the scheduler's grammar: every short pattern the config accepts, the scheduler does.
import { describe, expect, it } from 'vitest'
import { parseShortPattern } from '../scheduler/index.ts'
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
