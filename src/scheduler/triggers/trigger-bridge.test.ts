// Shared trigger compilation: identical triggers share one compiled schedule, and the cache never confuses two.
import { describe, expect, it } from 'vitest'
import { compileShared } from './trigger-bridge.ts'

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0)

describe('compileShared', () => {
  it('shares one compiled schedule between equal cron triggers given as separate objects', () => {
    const a = compileShared({ type: 'cron', expression: '7 3 * * *', timezone: 'Asia/Tokyo' }, NOW)
    const b = compileShared({ type: 'cron', expression: '7 3 * * *', timezone: 'Asia/Tokyo' }, NOW)
    expect(b.compiled).toBe(a.compiled)
    expect(a.compiled.firstFireAt(NOW)).toBe(Date.UTC(2026, 0, 5, 18, 7))
    // Same expression, another zone: another schedule.
    const c = compileShared({ type: 'cron', expression: '7 3 * * *', timezone: 'UTC' }, NOW)
    expect(c.compiled.firstFireAt(NOW)).toBe(Date.UTC(2026, 0, 6, 3, 7))
  })

  it('never answers a bad zone from the entry of a trigger without a zone', () => {
    compileShared({ type: 'cron', expression: '9 9 * * *' }, NOW)
    expect(() => compileShared({ type: 'cron', expression: '9 9 * * *', timezone: '' }, NOW)).toThrow()
    expect(() => compileShared({ type: 'cron', expression: '9 9 * * *', timezone: 'Mars/Olympus' }, NOW)).toThrow(
      /zone|timezone/i,
    )
  })

  it('keys triggers with more fields by their whole content', () => {
    const until = compileShared({ type: 'cron', expression: '0 * * * *', end: '2026-01-05T14:30:00Z' }, NOW)
    const open = compileShared({ type: 'cron', expression: '0 * * * *' }, NOW)
    expect(until.compiled).not.toBe(open.compiled)
    expect(until.compiled.nextAfter(Date.UTC(2026, 0, 5, 14, 0))).toBeNull()
    expect(open.compiled.nextAfter(Date.UTC(2026, 0, 5, 14, 0))).toBe(Date.UTC(2026, 0, 5, 15, 0))
  })

  it('keeps the trigger as written only when it says more than the resolved form', () => {
    expect(compileShared({ type: 'cron', expression: '5 5 * * *', timezone: 'UTC' }, NOW).input).toBeUndefined()
    expect(compileShared('hourly', NOW).input).toBe('hourly')
  })
})
