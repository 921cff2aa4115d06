// The trigger spec as persisted JSON (zod), the short string patterns, and their normalization to object form.
import { z } from 'zod'
import { checkCronPattern, cronFields } from './cron-engine.ts'
import { isValidTimeZone } from './time-zone.ts'
import { recurrenceRuleSchema } from './recurrence.ts'
import { triggerError, triggerErrorFromZod, type TriggerErrorCode } from './trigger-error.ts'

/** ISO 8601 date-time with an explicit Z or offset: a naive local time would depend on the host's zone. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i

/** An instant: an ISO date-time string with Z or an offset, or epoch milliseconds. */
export const instantSchema = z.union([
  z.string().refine((s) => ISO_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'must be an ISO 8601 date-time with Z or an offset, e.g. 2026-01-31T09:00:00Z',
  }),
  z.number().int().nonnegative().max(8.64e15, { message: 'must be epoch milliseconds within the Date range' }),
])

/** An IANA time-zone name the runtime knows, e.g. Europe/Berlin. */
export const timeZoneSchema = z.string().refine(isValidTimeZone, {
  message: 'unknown time zone; use an IANA name such as UTC, Europe/Berlin or America/New_York',
  params: { code: 'TRIGGER_TIMEZONE' },
})

const cronMessages = new Map<string, { message: string; field: string | null } | null>()

/** Why a cron expression is unusable (memoized: jobs share expressions), or null when it is fine. */
function cronExpressionProblem(expr: string): { message: string; field: string | null } | null {
  const known = cronMessages.get(expr)
  if (known !== undefined) return known
  let problem: { message: string; field: string | null } | null = null
  const n = cronFields(expr).length
  if (expr.includes('?')) {
    // croner replaces '?' with the time of parsing, which would make the schedule depend on when it was loaded.
    problem = { field: null, message: "'?' is not supported (croner reads it as the current time); use '*'" }
  } else if (n !== 5 && n !== 6) {
    problem = {
      field: null,
      message: `cron expression must have 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds first), got ${n}`,
    }
  } else {
    const p = checkCronPattern(expr)
    if (p) problem = { field: p.field, message: `${p.field ? `bad ${p.field} field` : 'bad expression'}: ${p.reason}` }
  }
  if (cronMessages.size >= 10_000) cronMessages.clear()
  cronMessages.set(expr, problem)
  return problem
}

const cronExpressionSchema = z.string().superRefine((expr, ctx) => {
  const problem = cronExpressionProblem(expr)
  if (problem)
    ctx.addIssue({ code: 'custom', params: { code: 'TRIGGER_CRON', field: problem.field }, message: problem.message })
})

/** Cron: 5 fields, or 6 with seconds first; wall-clock in `timezone` (default UTC); optional start/end bounds. */
export const cronSpecSchema = z.strictObject({
  type: z.literal('cron'),
  expression: cronExpressionSchema,
  timezone: timeZoneSchema.optional(),
  start: instantSchema.optional(),
  end: instantSchema.optional(),
})

/** One-shot at an instant. */
export const dateSpecSchema = z.strictObject({ type: z.literal('date'), at: instantSchema })

/**
 * The one place interval unit aliases are mapped: `m` and `d` (short patterns such as `interval_30m`, and configs
 * and presets written before the units were settled) mean `min` and `days`. Persisted specs keep the canonical unit.
 */
const INTERVAL_UNIT_ALIASES = { m: 'min', d: 'days' } as const

/** Canonical interval units. */
export type IntervalUnit = 's' | 'min' | 'h' | 'days'

/** Units an interval counts in: `s`, `min`, `h`, `days`, or an alias, read as its canonical unit. */
const intervalUnitSchema = z
  .enum(['s', 'min', 'h', 'days', 'm', 'd'], {
    message: 'unit must be one of "s", "min", "h", "days" (or "m" for min, "d" for days)',
  })
  .transform((u) => canonicalUnit(u))

/** The canonical spelling of an interval unit or one of its aliases. */
function canonicalUnit(u: 's' | 'min' | 'h' | 'days' | keyof typeof INTERVAL_UNIT_ALIASES): IntervalUnit {
  return u in INTERVAL_UNIT_ALIASES
    ? INTERVAL_UNIT_ALIASES[u as keyof typeof INTERVAL_UNIT_ALIASES]
    : (u as IntervalUnit)
}

/** Every N units of absolute time from `start` (the first fire); unaffected by DST. */
export const intervalSpecSchema = z.strictObject({
  type: z.literal('interval'),
  every: z
    .number()
    .int({ message: 'every must be a whole number, e.g. 30' })
    .refine((v) => v > 0, { message: 'every must be positive, e.g. 30', params: { code: 'TRIGGER_RANGE' } }),
  unit: intervalUnitSchema,
  start: instantSchema.optional(),
  end: instantSchema.optional(),
})

/** Never fires by itself; runs only when asked (runNow). */
export const manualSpecSchema = z.strictObject({ type: z.literal('manual') })

/**
 * Fires on an event instead of a time: `on.kind` 'job' (another job's outcome) is handled by the scheduler; other
 * kinds (price, gas, log...) are reported by the embedding app through `fireEvent`. `debounce` (ms) limits it to
 * one run per interval.
 */
export const eventSpecSchema = z
  .strictObject({
    type: z.literal('event'),
    on: z.looseObject({
      kind: z.string().regex(/^[a-z][a-z_]{0,31}$/, { message: 'event kind: lowercase letters and _, e.g. "job"' }),
    }),
    debounce: z.number().int().nonnegative().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.on.kind !== 'job') return
    const on = s.on as { job?: unknown; outcome?: unknown }
    if (typeof on.job !== 'string' || on.job.length === 0)
      ctx.addIssue({ code: 'custom', path: ['on', 'job'], message: 'name the job whose outcome fires this one' })
    if (!['succeeded', 'failed', 'finished'].includes(String(on.outcome)))
      ctx.addIssue({ code: 'custom', path: ['on', 'outcome'], message: 'expected "succeeded", "failed" or "finished"' })
  })

/** node-schedule RecurrenceRule fields (month 0-11, dayOfWeek 0-6 with 0 = Sunday), in `timezone`. */
export const recurrenceSpecSchema = z.strictObject({
  type: z.literal('recurrence'),
  rule: recurrenceRuleSchema,
  timezone: timeZoneSchema.optional(),
})

/** A trigger in its persisted object form. */
export const triggerSpecSchema = z.discriminatedUnion('type', [
  cronSpecSchema,
  dateSpecSchema,
  intervalSpecSchema,
  manualSpecSchema,
  recurrenceSpecSchema,
  eventSpecSchema,
])

export type TriggerSpec = z.infer<typeof triggerSpecSchema>
type CronSpec = z.infer<typeof cronSpecSchema>
type DateSpec = z.infer<typeof dateSpecSchema>
type IntervalSpec = z.infer<typeof intervalSpecSchema>
type RecurrenceSpec = z.infer<typeof recurrenceSpecSchema>
export type EventSpec = z.infer<typeof eventSpecSchema>

/** What users may write: the object form or a short pattern string. */
export const triggerInputSchema = z.union([z.string(), triggerSpecSchema])
type TriggerInput = z.input<typeof triggerInputSchema>

/** Options the scheduler core applies around a trigger (declared here so job validation has one source). */
export const triggerOptionsSchema = z.strictObject({
  /** Stop the job after this many runs. */
  maxExecutions: z.number().int().positive().optional(),
  /** How late (ms) a fire may still run after downtime; later ones are recorded as missed. */
  misfireGraceTime: z.number().int().nonnegative().default(60_000),
  /** Accept a `date` trigger in the past (it then fires once, at once). */
  allowPastEvents: z.boolean().default(false),
  /** Zone for short patterns such as `daily_at_09:00`; UTC unless given. */
  timezone: timeZoneSchema.default('UTC'),
})
type TriggerOptions = z.output<typeof triggerOptionsSchema>

/** The short patterns accepted as strings, for error messages and docs. */
export const SHORT_PATTERNS =
  'hourly, daily, weekly, manual, daily_at_HH:MM, interval_<N>s, interval_<N>m, interval_<N>h, interval_<N>d'

/** Thrown by parseShortPattern; compile turns it into a TaskSchedulingError. */
export class ShortPatternProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Expands a short pattern to its object form. `hourly`/`daily`/`weekly`/`daily_at_HH:MM` are wall-clock cron in
 * `timezone`; `interval_<N><s|m|h|d>` is an absolute interval; `manual`
 * fires only on run-now. Throws ShortPatternProblem on anything else.
 */
export function parseShortPattern(pattern: string, timezone = 'UTC'): TriggerSpec {
  const p = pattern.trim()
  const tz = { timezone }
  if (p === 'manual') return { type: 'manual' }
  if (p === 'hourly') return { type: 'cron', expression: '0 * * * *', ...tz }
  if (p === 'daily') return { type: 'cron', expression: '0 0 * * *', ...tz }
  if (p === 'weekly') return { type: 'cron', expression: '0 0 * * 0', ...tz }
  const at = /^daily_at_(\d{2}):(\d{2})$/.exec(p)
  if (at) {
    const hh = Number(at[1])
    const mm = Number(at[2])
    if (hh > 23 || mm > 59) {
      throw new ShortPatternProblem(
        'TRIGGER_PATTERN',
        `'${p}' has an impossible time: hours must be 00-23 and minutes 00-59, e.g. daily_at_09:30`,
      )
    }
    return { type: 'cron', expression: `${mm} ${hh} * * *`, ...tz }
  }
  const iv = /^interval_(\d+)([smhd])$/.exec(p)
  if (iv) {
    const every = Number(iv[1])
    if (!Number.isSafeInteger(every) || every <= 0) {
      throw new ShortPatternProblem(
        'TRIGGER_RANGE',
        `'${p}' must repeat every positive whole number of units, e.g. interval_30m`,
      )
    }
    return { type: 'interval', every, unit: canonicalUnit(iv[2] as 's' | 'h' | 'm' | 'd') }
  }
  throw new ShortPatternProblem(
    'TRIGGER_PATTERN',
    `unknown short pattern '${p}'; use one of ${SHORT_PATTERNS}, or an object such as {type:'cron', expression:'0 9 * * *'}`,
  )
}

/**
 * Validates a trigger as written (short pattern string or object) and returns its object form.
 * Throws TaskSchedulingError naming the bad field. `timezone` is the zone short patterns use (default UTC).
 */
export function normalizeTrigger(input: unknown, opts: { timezone?: string } = {}): TriggerSpec {
  const timezone = opts.timezone ?? 'UTC'
  if (!isValidTimeZone(timezone)) {
    throw triggerError(
      'TRIGGER_TIMEZONE',
      'timezone',
      `unknown time zone '${timezone}'`,
      'use an IANA name such as UTC or Europe/Berlin',
    )
  }
  if (typeof input === 'string') {
    try {
      return parseShortPattern(input, timezone)
    } catch (err) {
      if (err instanceof ShortPatternProblem) throw triggerError(err.code as TriggerErrorCode, 'trigger', err.message)
      throw err
    }
  }
  const result = triggerSpecSchema.safeParse(input)
  if (!result.success) throw triggerErrorFromZod(result.error)
  return result.data
}
