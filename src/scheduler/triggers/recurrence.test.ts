// Tests that recurrence specs match node-schedule's own RecurrenceRule, fire for fire, in UTC.
import schedule from 'node-schedule'
import { describe, expect, it } from 'vitest'
import { compileTrigger } from './compile.ts'
import { expandMatcher, recurrenceToPattern, type RecurrenceRuleSpec } from './recurrence.ts'

const START = Date.parse('2026-02-01T00:00:00Z')

function toNodeSchedule(rule: RecurrenceRuleSpec): schedule.RecurrenceRule {
  const r = new schedule.RecurrenceRule()
  const conv = (m: RecurrenceRuleSpec['hour']): unknown => {
    if (m === undefined || m === null) return null
    const one = (x: number | { start: number; end: number; step?: number }) =>
      typeof x === 'number' ? x : new schedule.Range(x.start, x.end, x.step)
    return Array.isArray(m) ? m.map(one) : one(m)
  }
  for (const f of ['second', 'minute', 'hour', 'date', 'month', 'year', 'dayOfWeek'] as const) {
    const v = conv(rule[f])
    if (v !== null) (r as unknown as Record<string, unknown>)[f] = v
  }
  r.tz = 'UTC'
  return r
}

const rules: RecurrenceRuleSpec[] = [
  { hour: 9, minute: 30 },
  { minute: { start: 0, end: 59, step: 15 } },
  { second: [0, 30], minute: 5 },
  { dayOfWeek: [0, { start: 4, end: 6 }], hour: 17, minute: 0 },
  { date: 13, dayOfWeek: 5, hour: 0, minute: 0 },
  { month: [1, 11], date: [1, 15], hour: 12, minute: 0 },
  { hour: { start: 8, end: 18, step: 4 }, minute: 45 },
  {},
]

describe('recurrence', () => {
  it('expands ranges as node-schedule does (a stepped range excludes its end)', () => {
    expect(expandMatcher({ start: 1, end: 5 })).toEqual([1, 2, 3, 4, 5])
    expect(expandMatcher({ start: 0, end: 10, step: 5 })).toEqual([0, 5])
    expect(expandMatcher([3, { start: 1, end: 2 }, 3])).toEqual([1, 2, 3])
    expect(recurrenceToPattern({ month: 0, dayOfWeek: 1 })).toBe('0 * * * 1 1 *')
  })

  for (const rule of rules) {
    it(`matches node-schedule's RecurrenceRule for ${JSON.stringify(rule)}`, () => {
      const ours = compileTrigger({ type: 'recurrence', rule }, { nowMs: START })
      const theirs = toNodeSchedule(rule)
      let a: number | null = START
      let b: number | null = START
      for (let i = 0; i < 6; i++) {
        a = ours.nextAfter(a as number)
        b = theirs.nextInvocationDate(new Date(b as number))?.getTime() ?? null
        expect(a).toBe(b)
        if (a === null) break
      }
    })
  }
})
