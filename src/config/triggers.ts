// Config form of a job trigger: the scheduler's object triggers or its short strings, checked before anything runs.
import { z } from 'zod'
import { isValidTimeZone, parseShortPattern } from '../scheduler/index.ts'
import { duration } from './units.ts'

const SHORT_HELP =
  'hourly, daily, weekly, manual, daily_at_HH:MM (e.g. daily_at_09:30) or interval_<n><s|m|h|d> (e.g. interval_30m)'
/** True when the scheduler's own grammar accepts `s` as a short pattern (one grammar for config and scheduler). */
function isShortPattern(s: string): boolean {
  try {
    parseShortPattern(s)
    return true
  } catch {
    return false
  }
}
const CRON_FIELD = /^[0-9A-Za-z*/,?LW#-]+$/

const cronTrigger = z.strictObject({
  type: z.literal('cron'),
  expression: z.string().refine(
    (e) => {
      const fields = e.trim().split(/\s+/)
      return (fields.length === 5 || fields.length === 6) && fields.every((f) => CRON_FIELD.test(f))
    },
    { error: 'expected a cron expression of 5 or 6 fields, e.g. "30 9 * * 1-5"' },
  ),
  timezone: z
    .string()
    .refine(isValidTimeZone, { error: 'expected an IANA time zone such as "UTC" or "Europe/Berlin"' })
    .default('UTC'),
})

const dateTrigger = z.strictObject({
  type: z.literal('date'),
  at: z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), {
    error: 'expected an ISO 8601 date-time with a zone, e.g. "2026-12-01T09:00:00Z"',
  }),
  allowPastEvents: z.boolean().default(false),
})

const intervalTrigger = z.strictObject({
  type: z.literal('interval'),
  every: z.int({ error: 'expected a whole number >= 1' }).min(1, { error: 'expected a whole number >= 1' }),
  unit: z.enum(['s', 'm', 'h', 'd'], { error: 'expected one of "s", "m", "h", "d"' }),
  start: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' }).optional(),
  end: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' }).optional(),
})

const manualTrigger = z.strictObject({ type: z.literal('manual') })

const hex = (bytes: number, what: string) =>
  z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), { error: `expected ${what}` })
const chainIdField = z.int({ error: 'expected a chain id' }).positive({ error: 'expected a chain id' })

/** What fires an event trigger: a price crossing, gas falling below a level, a matching log, another job's outcome. */
const eventOn = z.discriminatedUnion(
  'kind',
  [
    z
      .strictObject({
        kind: z.literal('price'),
        feed: z.string().min(1, { error: 'expected a price source id, e.g. "devnet-eth-usd"' }),
        above: z.number().positive().optional(),
        below: z.number().positive().optional(),
      })
      .refine((p) => (p.above === undefined) !== (p.below === undefined), {
        error: 'give exactly one of "above" or "below"',
      }),
    z.strictObject({
      kind: z.literal('gas'),
      chainId: chainIdField,
      belowGwei: z.number().positive({ error: 'expected a base fee in gwei > 0' }),
    }),
    // The event by its signature, not its topic hash: a 32-byte hex string in a config is refused as a possible key.
    z.strictObject({
      kind: z.literal('log'),
      chainId: chainIdField,
      address: hex(20, 'a contract address'),
      event: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\([A-Za-z0-9_,\[\] ]*\)$/, {
        error: 'expected an event signature, e.g. "Transfer(address,address,uint256)"',
      }),
    }),
    z.strictObject({
      kind: z.literal('job'),
      job: z.string().min(1),
      outcome: z.enum(['succeeded', 'failed', 'finished'], { error: 'expected "succeeded", "failed" or "finished"' }),
    }),
  ],
  { error: 'expected on.kind one of "price", "gas", "log", "job"' },
)

const eventTrigger = z.strictObject({
  type: z.literal('event'),
  on: eventOn,
  /** At most one run per this interval. */
  debounce: duration.optional(),
})

/** A job trigger: `{type:'cron'|'date'|'interval'|'manual', ...}` or a short string such as `interval_30m`. */
export const triggerSchema = z.union(
  [
    z.string().refine(isShortPattern, { error: `expected a short trigger: ${SHORT_HELP}` }),
    z.discriminatedUnion('type', [cronTrigger, dateTrigger, intervalTrigger, manualTrigger, eventTrigger], {
      error: 'expected a trigger object with "type" one of "cron", "date", "interval", "manual", "event"',
    }),
  ],
  { error: `expected a trigger: a short string (${SHORT_HELP}) or an object with "type"` },
)

/** The parsed trigger as the scheduler receives it. */
type TriggerConfig = z.output<typeof triggerSchema>
