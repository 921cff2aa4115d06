// The durable notification outbox (migration 0012): enqueue with de-duplication and per-channel rate limits,
// claim due rows, record results, and fold grouped rows into "N more like this" summaries.
import type { Db } from '../store/database.ts'
import type { NotifyEvent } from './events.ts'

/** Limits applied when an event is enqueued for a channel. */
export interface OutboxLimits {
  dedupWindowMs: number
  perWindow: number
  rateWindowMs: number
}

/** One row as the sender sees it. */
export interface OutboxRow {
  id: number
  channel: string
  event: NotifyEvent
  attempts: number
}

/** What happened to an event on one channel. */
export type EnqueueResult = 'queued' | 'duplicate' | 'rate_limited'

/** The outbox API over one database. */
export interface Outbox {
  /** Adds one row per channel in one transaction; duplicates and rows over the rate are kept as grouped. */
  enqueue(
    event: NotifyEvent,
    channels: readonly string[],
    limits: (channel: string) => OutboxLimits,
    nowMs: number,
  ): Record<string, EnqueueResult>
  /** Rows due now, oldest first, marked `sending` with one more attempt. */
  claim(nowMs: number, limit: number, channels?: readonly string[]): OutboxRow[]
  markSent(id: number, nowMs: number): void
  /** Back to pending at `nextAt`, or failed for good when `nextAt` is null. */
  markRetry(id: number, error: string, nextAt: number | null): void
  /** After a crash: rows left `sending` were maybe delivered; they go out again with the same delivery id. */
  recoverSending(): number
  /**
   * For each channel and kind with grouped rows whose window has closed, one summary event is queued (bypassing
   * the limits) and the grouped rows are marked summarized. Returns the summaries queued.
   */
  summarize(nowMs: number, windowMs: (channel: string) => number): number
  /** Deletes finished rows older than `beforeMs`. */
  prune(beforeMs: number): number
  counts(): Record<string, number>
}

/** Creates the outbox over a database that has migration 0012 applied. */
export function createOutbox(db: Db): Outbox {
  const lastQueued = db.prepare(`SELECT 1 FROM notify_outbox WHERE channel = ? AND dedup_key = ? AND created_at > ?
    AND status != 'suppressed' LIMIT 1`)
  const recentCount = db.prepare(`SELECT count(*) AS n FROM notify_outbox WHERE channel = ? AND created_at > ?
    AND status != 'suppressed' AND kind != 'summary'`)
  const insert =
    db.prepare(`INSERT INTO notify_outbox (channel, kind, severity, dedup_key, payload, status, reason, next_at, created_at)
    VALUES (@channel, @kind, @severity, @dedupKey, @payload, @status, @reason, @nextAt, @createdAt)`)
  const due =
    db.prepare(`SELECT id, channel, payload, attempts FROM notify_outbox WHERE status = 'pending' AND next_at <= ?
    ORDER BY id LIMIT ?`)
  const toSending = db.prepare(
    `UPDATE notify_outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'pending'`,
  )
  const sent = db.prepare(`UPDATE notify_outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?`)
  const retry = db.prepare(
    `UPDATE notify_outbox SET status = ?, next_at = coalesce(?, next_at), last_error = ? WHERE id = ?`,
  )
  const payloadOf = db.prepare('SELECT payload FROM notify_outbox WHERE id = ?')
  const groups = db.prepare(`SELECT channel, kind, count(*) AS n, min(created_at) AS first, max(id) AS lastId,
    min(id) AS firstId FROM notify_outbox WHERE status = 'suppressed' AND summarized = 0 GROUP BY channel, kind`)
  const markGroup = db.prepare(`UPDATE notify_outbox SET summarized = 1 WHERE status = 'suppressed' AND summarized = 0
    AND channel = ? AND kind = ? AND id <= ?`)

  return {
    enqueue(event, channels, limits, nowMs) {
      const out: Record<string, EnqueueResult> = {}
      const payload = JSON.stringify(event)
      db.transaction(() => {
        for (const channel of channels) {
          const l = limits(channel)
          let result: EnqueueResult = 'queued'
          if (lastQueued.get(channel, event.dedupKey, nowMs - l.dedupWindowMs)) result = 'duplicate'
          else if ((recentCount.get(channel, nowMs - l.rateWindowMs) as { n: number }).n >= l.perWindow)
            result = 'rate_limited'
          insert.run({
            channel,
            kind: event.kind,
            severity: event.severity,
            dedupKey: event.dedupKey,
            payload,
            status: result === 'queued' ? 'pending' : 'suppressed',
            reason: result === 'queued' ? null : result,
            nextAt: nowMs,
            createdAt: nowMs,
          })
          out[channel] = result
        }
      }).immediate()
      return out
    },
    claim(nowMs, limit, channels) {
      return db
        .transaction(() => {
          const rows = (
            due.all(nowMs, channels ? 100_000 : limit) as {
              id: number
              channel: string
              payload: string
              attempts: number
            }[]
          )
            .filter((r) => !channels || channels.includes(r.channel))
            .slice(0, limit)
          for (const r of rows) toSending.run(r.id)
          return rows.map((r) => ({
            id: r.id,
            channel: r.channel,
            event: JSON.parse(r.payload) as NotifyEvent,
            attempts: r.attempts + 1,
          }))
        })
        .immediate()
    },
    markSent(id, nowMs) {
      sent.run(nowMs, id)
    },
    markRetry(id, error, nextAt) {
      retry.run(nextAt === null ? 'failed' : 'pending', nextAt, error.slice(0, 500), id)
    },
    recoverSending() {
      return db.prepare(`UPDATE notify_outbox SET status = 'pending' WHERE status = 'sending'`).run().changes
    },
    summarize(nowMs, windowMs) {
      let queued = 0
      db.transaction(() => {
        const rows = groups.all() as {
          channel: string
          kind: string
          n: number
          first: number
          lastId: number
          firstId: number
        }[]
        for (const g of rows) {
          const w = windowMs(g.channel)
          if (g.first > nowMs - w) continue
          const sample = JSON.parse((payloadOf.get(g.firstId) as { payload: string }).payload) as NotifyEvent
          const minutes = Math.max(1, Math.round(w / 60_000))
          const event: NotifyEvent = {
            kind: sample.kind,
            severity: sample.severity,
            title: `${g.n} more like this in the last ${minutes} min: ${sample.title}`,
            action: 'grouped to keep this channel quiet; see the dashboard or `bot status` for each one',
            dedupKey: `summary:${g.kind}`,
            fields: sample.fields.link ? { link: sample.fields.link } : {},
            at: nowMs,
          }
          insert.run({
            channel: g.channel,
            kind: 'summary',
            severity: sample.severity,
            dedupKey: event.dedupKey,
            payload: JSON.stringify(event),
            status: 'pending',
            reason: null,
            nextAt: nowMs,
            createdAt: nowMs,
          })
          markGroup.run(g.channel, g.kind, g.lastId)
          queued += 1
        }
      }).immediate()
      return queued
    },
    prune(beforeMs) {
      return db
        .prepare(
          `DELETE FROM notify_outbox WHERE created_at < ? AND (status IN ('sent', 'failed')
        OR (status = 'suppressed' AND summarized = 1))`,
        )
        .run(beforeMs).changes
    },
    counts() {
      const rows = db.prepare('SELECT status, count(*) AS n FROM notify_outbox GROUP BY status').all() as {
        status: string
        n: number
      }[]
      return Object.fromEntries(rows.map((r) => [r.status, r.n]))
    },
  }
}
