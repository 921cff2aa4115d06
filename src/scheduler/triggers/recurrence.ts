// node-schedule RecurrenceRule semantics (JSON form) translated to an equivalent 7-field croner pattern.
import { z } from 'zod'

/** A node-schedule Range: step 1 includes `end`; a larger step yields start, start+step, ... strictly below `end`. */
const rangeSchema = z.strictObject({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  step: z.number().int().positive().optional(),
})
const matcherItem = z.union([z.number().int(), rangeSchema])
/** One RecurrenceRule field: a number, a Range, or an array of either; absent or null = any value. */
const matcherSchema = z
  .union([matcherItem, z.array(matcherItem).min(1)])
  .nullable()
  .optional()

type Matcher = z.infer<typeof matcherSchema>

const BOUNDS = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  date: [1, 31],
  month: [0, 11],
  year: [1970, 9999],
  dayOfWeek: [0, 6],
} as const
type RuleField = keyof typeof BOUNDS

/** Expands a matcher to its sorted set of values exactly as node-schedule's recurMatch/Range.contains would match. */
export function expandMatcher(m: NonNullable<Matcher>): number[] {
  const out = new Set<number>()
  for (const item of Array.isArray(m) ? m : [m]) {
    if (typeof item === 'number') out.add(item)
    else if ((item.step ?? 1) === 1) for (let v = item.start; v <= item.end; v++) out.add(v)
    else for (let v = item.start; v < item.end; v += item.step ?? 1) out.add(v)
  }
  return [...out].sort((a, b) => a - b)
}

/** RecurrenceRule fields; `second` defaults to 0 as in node-schedule, the others to "any". */
export const recurrenceRuleSchema = z
  .strictObject({
    second: matcherSchema,
    minute: matcherSchema,
    hour: matcherSchema,
    date: matcherSchema,
    month: matcherSchema,
    year: matcherSchema,
    dayOfWeek: matcherSchema,
  })
  .superRefine((rule, ctx) => {
    for (const field of Object.keys(BOUNDS) as RuleField[]) {
      const m = rule[field]
      if (m === undefined || m === null) continue
      const values = expandMatcher(m)
      const [lo, hi] = BOUNDS[field]
      const bad = values.find((v) => v < lo || v > hi)
      if (values.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          params: { code: 'TRIGGER_RECURRENCE' },
          message: `${field} matches no value; a stepped range excludes its end`,
        })
      } else if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          params: { code: 'TRIGGER_RECURRENCE' },
          message: `${field} value ${bad} is outside ${lo}-${hi}${field === 'month' ? ' (months are 0-11 in RecurrenceRule)' : ''}`,
        })
      }
    }
  })
export type RecurrenceRuleSpec = z.infer<typeof recurrenceRuleSchema>

function field(m: Matcher, shift = 0, whenAbsent = '*'): string {
  if (m === undefined || m === null) return whenAbsent
  return expandMatcher(m)
    .map((v) => v + shift)
    .join(',')
}

/**
 * The croner pattern (second minute hour day month weekday year) matching the same instants as the rule, to be
 * evaluated with day-of-month AND day-of-week (node-schedule checks every set field).
 */
export function recurrenceToPattern(rule: RecurrenceRuleSpec): string {
  return [
    field(rule.second, 0, '0'),
    field(rule.minute),
    field(rule.hour),
    field(rule.date),
    field(rule.month, 1),
    field(rule.dayOfWeek),
    field(rule.year),
  ].join(' ')
}
