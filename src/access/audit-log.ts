// The append-only audit log of mutation attempts (HTTP, MCP, CLI): who, what, when, outcome.
import type { Db } from '../store/database.ts'
import { redactSecrets } from '../logging/redact.ts'
import type { Actor } from './roles.ts'

/** How an attempt ended. */
export type AuditOutcome = 'ok' | 'denied' | 'invalid' | 'error' | 'rate_limited'

/** One audit row. */
export interface AuditEntry {
  id: number
  at: number
  actor: string
  role: string | null
  source: Actor['source']
  action: string
  target: string | null
  params: unknown
  outcome: AuditOutcome
  detail: string | null
}

/** What a caller records. */
export interface AuditInput {
  actor: Actor
  action: string
  target?: string | null
  params?: unknown
  outcome: AuditOutcome
  detail?: string | null
}

/** The audit log API. */
export interface AuditLog {
  record(entry: AuditInput): void
  /** Newest first; `cursor` is the `nextCursor` of the previous page. */
  list(query?: { limit?: number; cursor?: string | null }): { entries: AuditEntry[]; nextCursor: string | null }
  /** Deletes rows older than `beforeMs`; returns how many. */
  prune(beforeMs: number): number
}

interface Row {
  id: number
  at: number
  actor: string
  role: string | null
  source: Actor['source']
  action: string
  target: string | null
  params_json: string | null
  outcome: AuditOutcome
  detail: string | null
}

/** Creates the audit log over migration 0004's `audit_log` table. Params and details pass through secret redaction. */
export function createAuditLog(db: Db, now: () => number = Date.now): AuditLog {
  const insert =
    db.prepare(`INSERT INTO audit_log (at, actor, role, source, action, target, params_json, outcome, detail)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  return {
    record(e) {
      const params =
        e.params === undefined
          ? null
          : redactSecrets(JSON.stringify(e.params, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
      insert.run(
        now(),
        e.actor.name,
        e.actor.role,
        e.actor.source,
        e.action,
        e.target ?? null,
        params,
        e.outcome,
        e.detail == null ? null : redactSecrets(e.detail).slice(0, 2_000),
      )
    },
    list(q = {}) {
      const limit = Math.min(Math.max(q.limit ?? 50, 1), 500)
      const before = q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER
      const rows = db
        .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
        .all(before, limit + 1) as Row[]
      const page = rows.slice(0, limit)
      return {
        entries: page.map((r) => ({
          id: r.id,
          at: r.at,
          actor: r.actor,
          role: r.role,
          source: r.source,
          action: r.action,
          target: r.target,
          params: r.params_json === null ? null : JSON.parse(r.params_json),
          outcome: r.outcome,
          detail: r.detail,
        })),
        nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
      }
    },
    prune: (beforeMs) => db.prepare('DELETE FROM audit_log WHERE at < ?').run(beforeMs).changes,
  }
}
