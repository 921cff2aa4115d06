// The `notify:` config section: channels (webhook, Telegram, Discord, Slack), their events, and delivery limits.
import { z } from 'zod'
import { duration, etherAmount } from '../config/units.ts'
import { EVENT_KINDS, SEVERITIES } from './events.ts'

const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/
const envName = z
  .string({
    error: 'expected the NAME of an environment variable, e.g. "NOTIFY_WEBHOOK_URL" (never the secret itself)',
  })
  .regex(ENV_NAME, {
    error:
      'expected the NAME of an environment variable (A-Z, 0-9, _), e.g. "NOTIFY_WEBHOOK_URL" (never the secret itself)',
  })
const httpBase = z.string().refine(
  (u) => {
    try {
      return ['http:', 'https:'].includes(new URL(u).protocol)
    } catch {
      return false
    }
  },
  { error: 'expected an http(s):// base URL, e.g. "https://api.telegram.org"' },
)
const events = z
  .array(z.enum(['all', ...EVENT_KINDS], { error: `expected "all" or event kinds: ${EVENT_KINDS.join(', ')}` }))
  .min(1)
  .default(['all'])
const minSeverity = z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` }).default('warning')
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'expected a channel name (letters, digits, "_", ".", "-")' })
const common = { name, events, minSeverity, enabled: z.boolean().default(true) }

/** One channel. Secrets (webhook URLs, bot tokens, signing keys) are named by env var, never written here. */
export const channelSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      ...common,
      type: z.literal('webhook'),
      urlEnv: envName,
      /** HMAC-SHA256 key for the `x-airdrops-signature` header. */
      secretEnv: envName,
    }),
    z
      .strictObject({
        ...common,
        type: z.literal('telegram'),
        tokenEnv: envName,
        /** Chat id (a number, or "@channel"); may also come from an env var with chatIdEnv. */
        chatId: z.union([z.string().min(1).max(64), z.int()]).optional(),
        chatIdEnv: envName.optional(),
        apiBase: httpBase.default('https://api.telegram.org'),
      })
      .refine((c) => (c.chatId === undefined) !== (c.chatIdEnv === undefined), {
        error: 'telegram needs exactly one of chatId or chatIdEnv',
      }),
    z.strictObject({ ...common, type: z.literal('discord'), urlEnv: envName }),
    z.strictObject({ ...common, type: z.literal('slack'), urlEnv: envName }),
  ],
  { error: 'expected a channel with type "webhook", "telegram", "discord" or "slack"' },
)

/** The whole `notify:` section; off (no channels) by default. */
export const notifySchema = z
  .strictObject({
    channels: z.array(channelSchema).default([]),
    /** Base URL of the dashboard, linked from messages that have no explorer link. */
    dashboardUrl: httpBase.optional(),
    /** A repeat of the same condition (same dedup key) inside this window is grouped, not sent. */
    dedupWindow: duration.prefault('10m'),
    /** At most `perWindow` messages per channel per `window`; the rest become one "N more like this" summary. */
    rateLimit: z
      .strictObject({ perWindow: z.int().min(1).max(1_000).default(5), window: duration.prefault('10m') })
      .prefault({}),
    retry: z
      .strictObject({
        maxAttempts: z.int().min(1).max(100).default(10),
        baseDelay: duration.prefault('5s'),
        maxDelay: duration.prefault('15m'),
      })
      .prefault({}),
    /** How often the sender looks at the outbox, and how often balances, caps, the journal and the breaker are checked. */
    sendInterval: duration.prefault('1s'),
    watchInterval: duration.prefault('30s'),
    /** Native balance floors per chain id ("0.05"); the capital gas reserve is a floor too. */
    balanceFloors: z
      .record(z.string().regex(/^[1-9]\d*$/, { error: 'expected a chain id as the key' }), etherAmount)
      .default({}),
    /** Share of a daily cap at which a warning goes out (default 0.8). */
    dailyCapShare: z.number().gt(0).lte(1).default(0.8),
    /** A run delayed (gas, volatility, windows) past its due time by more than this is reported. */
    jobDelayedAfter: duration.prefault('30m'),
    /** A transaction broadcast this long ago and not mined is reported as stuck. */
    txStuckAfter: duration.prefault('5m'),
    /** Sent and grouped rows are deleted after this long. */
    keep: duration.prefault('7d'),
  })
  .refine((n) => new Set(n.channels.map((c) => c.name)).size === n.channels.length, {
    error: 'notify.channels: each name must be unique',
  })

/** The validated `notify:` section (durations in ms, floors in wei). */
export type NotifyConfig = z.output<typeof notifySchema>
/** One validated channel. */
export type ChannelConfig = z.output<typeof channelSchema>
