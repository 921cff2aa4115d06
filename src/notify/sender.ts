// The outbox's own delivery loop: claims due rows, POSTs them with a timeout, retries with backoff, folds groups.
import type { Logger } from '../logging/logger.ts'
import { redactSecrets } from '../logging/redact.ts'
import type { Channel } from './channels.ts'
import type { Outbox } from './outbox.ts'

/** Retry policy: exponential from `baseDelayMs`, capped, at most `maxAttempts` tries. */
export interface RetryPolicy {
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
}

/** Options of createSender. */
export interface SenderOptions {
  outbox: Outbox
  channels: readonly Channel[]
  retry: RetryPolicy
  /** Grouping window per channel (summaries go out once it closes). */
  groupWindowMs: (channel: string) => number
  keepMs: number
  logger?: Logger
  now?: () => number
  fetchImpl?: typeof fetch
  timeoutMs?: number
}

/** Result of one delivery attempt. */
export interface DeliveryResult {
  id: number
  channel: string
  ok: boolean
  status?: number
  error?: string
}

/** The delivery loop. */
export interface Sender {
  /** One pass: summaries, then every due row (of `channels`, if given). */
  flush(channels?: readonly string[]): Promise<DeliveryResult[]>
  /** Starts the loop every `intervalMs` (rows left `sending` by a crash are re-queued first). */
  start(intervalMs: number): void
  stop(): Promise<void>
}

// 4xx answers that no retry can fix (bad token, deleted webhook, malformed chat id); 408 and 429 are retried.
const PERMANENT = new Set([400, 401, 403, 404, 405, 410, 413, 422])

/** Backoff for the `attempt`-th try (1-based): base x 2^(attempt-1), capped. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1))
}

/** Creates the sender. Errors are logged without URLs or tokens and never thrown into the caller. */
export function createSender(options: SenderOptions): Sender {
  const { outbox, retry } = options
  const now = options.now ?? Date.now
  const doFetch = options.fetchImpl ?? fetch
  const byName = new Map(options.channels.map((c) => [c.name, c]))
  const log = options.logger?.child({ component: 'notify' })
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> | undefined
  let stopped = false
  let lastPrune = 0

  async function deliver(
    id: number,
    channel: Channel,
    row: Parameters<Channel['request']>[0],
    attempts: number,
  ): Promise<DeliveryResult> {
    let status: number | undefined
    let error: string
    let retryAfterMs = 0
    try {
      const req = channel.request(row, id, now())
      const res = await doFetch(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      })
      status = res.status
      await res.arrayBuffer().catch(() => undefined)
      if (res.ok) {
        outbox.markSent(id, now())
        return { id, channel: channel.name, ok: true, status }
      }
      const ra = Number(res.headers.get('retry-after'))
      if (Number.isFinite(ra) && ra > 0) retryAfterMs = Math.min(ra * 1_000, retry.maxDelayMs)
      error = `HTTP ${status}`
    } catch (err) {
      // Node's fetch error text can quote the URL (a token lives there): keep the name and a scrubbed message only.
      error = redactSecrets(err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error')
    }
    const permanent = status !== undefined && PERMANENT.has(status)
    const next =
      permanent || attempts >= retry.maxAttempts ? null : now() + Math.max(retryAfterMs, backoffMs(retry, attempts))
    outbox.markRetry(id, error, next)
    const line = { channel: channel.name, type: channel.type, deliveryId: id, attempts, error }
    if (next === null)
      log?.error(
        line,
        permanent
          ? 'notification refused by the channel: check its token or webhook'
          : 'notification given up after its retries',
      )
    else log?.warn(line, 'notification not delivered; will retry')
    return { id, channel: channel.name, ok: false, status, error }
  }

  async function flush(channels?: readonly string[]): Promise<DeliveryResult[]> {
    const t = now()
    outbox.summarize(t, options.groupWindowMs)
    if (t - lastPrune > 3_600_000) {
      lastPrune = t
      outbox.prune(t - options.keepMs)
    }
    const rows = outbox.claim(t, 200, channels)
    const perChannel = new Map<string, typeof rows>()
    for (const r of rows) perChannel.set(r.channel, [...(perChannel.get(r.channel) ?? []), r])
    // Channels in parallel, rows of one channel in order (chat channels show them in the order they happened).
    const results = await Promise.all(
      [...perChannel].map(async ([name, list]) => {
        const out: DeliveryResult[] = []
        const ch = byName.get(name)
        for (const r of list) {
          if (!ch) {
            outbox.markRetry(r.id, 'channel no longer configured', null)
            continue
          }
          out.push(await deliver(r.id, ch, r.event, r.attempts))
        }
        return out
      }),
    )
    return results.flat()
  }

  const loop = (intervalMs: number) => {
    if (stopped) return
    running = flush()
      .catch((err) => log?.error({ reason: err instanceof Error ? err.name : 'unknown' }, 'notify loop pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(() => loop(intervalMs), intervalMs)
      })
  }

  return {
    flush,
    start(intervalMs) {
      stopped = false
      const n = outbox.recoverSending()
      if (n > 0) log?.warn({ rows: n }, 'notifications interrupted by a crash are sent again (same delivery id)')
      loop(intervalMs)
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
