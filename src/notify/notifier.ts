// The notifier: routes each event to the channels that want it (kind and severity) through the durable outbox.
import type { Logger } from '../logging/logger.ts'
import type { Db } from '../store/database.ts'
import { createChannel, NotifyConfigError, type Channel } from './channels.ts'
import type { NotifyConfig } from './config-schema.ts'
import { atLeast, type NotifyEvent } from './events.ts'
import { createOutbox, type EnqueueResult, type Outbox } from './outbox.ts'
import { createSender, type DeliveryResult, type Sender } from './sender.ts'

/** Options of createNotifier. */
export interface NotifierOptions {
  config: NotifyConfig
  db: Db
  /** Where channel secrets are read (default process.env). */
  env?: Record<string, string | undefined>
  logger?: Logger
  now?: () => number
  fetchImpl?: typeof fetch
}

/** The notifier the bot and the CLI use. */
export interface Notifier {
  readonly channels: readonly Channel[]
  readonly outbox: Outbox
  readonly sender: Sender
  /** Queues `event` for every channel that wants it. Never throws: a notification must not break its caller. */
  emit(event: Omit<NotifyEvent, 'at'> & { at?: number }): Record<string, EnqueueResult>
  /** Starts the delivery loop. */
  start(): void
  stop(): Promise<void>
  /** Queues a test message for one channel (or all) and delivers it now. */
  test(channel?: string): Promise<DeliveryResult[]>
}

/** True when the channel subscribes to this kind at this severity (a test goes to any channel asked). */
export function wants(channel: Channel, event: Pick<NotifyEvent, 'kind' | 'severity'>): boolean {
  const c = channel.config
  if (!c.enabled) return false
  if (event.kind === 'test') return true
  return (
    (c.events.includes('all') || (c.events as string[]).includes(event.kind)) && atLeast(event.severity, c.minSeverity)
  )
}

/** Creates the notifier; throws a NotifyConfigError naming the env var when a channel's secret is missing. */
export function createNotifier(options: NotifierOptions): Notifier {
  const { config, db } = options
  const now = options.now ?? Date.now
  const env = options.env ?? process.env
  const log = options.logger?.child({ component: 'notify' })
  const channels = config.channels.filter((c) => c.enabled).map((c) => createChannel(c, env))
  const outbox = createOutbox(db)
  const sender = createSender({
    outbox,
    channels,
    logger: options.logger,
    now,
    fetchImpl: options.fetchImpl,
    retry: {
      maxAttempts: config.retry.maxAttempts,
      baseDelayMs: config.retry.baseDelay,
      maxDelayMs: config.retry.maxDelay,
    },
    groupWindowMs: () => config.rateLimit.window,
    keepMs: config.keep,
  })
  const limits = () => ({
    dedupWindowMs: config.dedupWindow,
    perWindow: config.rateLimit.perWindow,
    rateWindowMs: config.rateLimit.window,
  })

  function emit(input: Omit<NotifyEvent, 'at'> & { at?: number }): Record<string, EnqueueResult> {
    try {
      const event: NotifyEvent = { ...input, at: input.at ?? now() }
      const targets = channels.filter((c) => wants(c, event)).map((c) => c.name)
      if (targets.length === 0) return {}
      if (!event.fields.link && config.dashboardUrl) event.fields = { ...event.fields, link: config.dashboardUrl }
      return outbox.enqueue(event, targets, limits, now())
    } catch (err) {
      log?.error(
        { kind: input.kind, reason: err instanceof Error ? err.name : 'unknown' },
        'notification could not be queued',
      )
      return {}
    }
  }

  return {
    channels,
    outbox,
    sender,
    emit,
    start: () => sender.start(config.sendInterval),
    stop: () => sender.stop(),
    async test(name) {
      const picked = name === undefined ? channels : channels.filter((c) => c.name === name)
      if (picked.length === 0) {
        const known = channels.map((c) => c.name).join(', ') || 'none configured'
        throw new NotifyConfigError(
          'NOTIFY_UNKNOWN_CHANNEL',
          name === undefined
            ? 'no notify channels are configured'
            : `no enabled notify channel named "${name.slice(0, 64)}"`,
          { hint: `add one under notify.channels (configured: ${known})`, details: { channel: name } },
        )
      }
      const event: NotifyEvent = {
        kind: 'test',
        severity: 'info',
        title: 'test message: this channel reaches you',
        action: 'nothing to do',
        dedupKey: `test:${now()}`,
        fields: config.dashboardUrl ? { link: config.dashboardUrl } : {},
        at: now(),
      }
      // A test bypasses the dedup and rate limits: the operator asked for it.
      outbox.enqueue(
        event,
        picked.map((c) => c.name),
        () => ({ dedupWindowMs: 0, perWindow: Number.MAX_SAFE_INTEGER, rateWindowMs: 0 }),
        now(),
      )
      return sender.flush(picked.map((c) => c.name))
    },
  }
}
