// Config form of a job trigger: the scheduler's object triggers or its short strings, checked before anything runs.
import { z } from 'zod'
import {
  cronSpecSchema,
  dateSpecSchema,
  eventSpecSchema,
  intervalSpecSchema,
  manualSpecSchema,
  parseShortPattern,
  recurrenceSpecSchema,
  timeZoneSchema,
} from '../scheduler/index.ts'
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
// The time triggers are the scheduler's own object specs; the config only fills the defaults it has always filled.
const cronTrigger = cronSpecSchema.extend({ timezone: timeZoneSchema.default('UTC') })

// allowPastEvents is a scheduler job option; the config keeps it on the trigger it concerns (the runtime moves it).
const dateTrigger = dateSpecSchema.extend({ allowPastEvents: z.boolean().default(false) })

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

// The scheduler's event spec leaves kinds other than `job` to the embedding app, so the bot's kinds are defined here;
// what they produce (debounce in ms) must still be the scheduler's event spec.
const eventTrigger = z
  .strictObject({
    type: z.literal('event'),
    on: eventOn,
    /** At most one run per this interval. */
    debounce: duration.optional(),
  })
  .superRefine((t, ctx) => {
    const spec = eventSpecSchema.safeParse(t)
    if (!spec.success)
      for (const i of spec.error.issues) ctx.addIssue({ code: 'custom', path: [...i.path], message: i.message })
  })

/**
 * A job trigger in the scheduler's grammar: an object spec (`{type:'cron'|'date'|'interval'|'manual'|'recurrence'|
 * 'event', ...}`) or a short string such as `interval_30m`.
 */
export const triggerSchema = z.union(
  [
    z.string().refine(isShortPattern, { error: `expected a short trigger: ${SHORT_HELP}` }),
    z.discriminatedUnion(
      'type',
      [cronTrigger, dateTrigger, intervalSpecSchema, manualSpecSchema, recurrenceSpecSchema, eventTrigger],
      {
        error:
          'expected a trigger object with "type" one of "cron", "date", "interval", "manual", "recurrence", "event"',
      },
    ),
  ],
  { error: `expected a trigger: a short string (${SHORT_HELP}) or an object with "type"` },
)

/** The parsed trigger as the scheduler receives it. */
type TriggerConfig = z.output<typeof triggerSchema>
