// Group commit for the PostgreSQL worker: transactions submitted without blocking that queue up behind each other
// commit together, in one BEGIN..COMMIT, so a burst of small batches costs one commit and no batch waits for the
// round trips of every batch before it. A group that fails is rolled back and its members run again one by one, so
// each gets its own outcome as if never grouped.
import type pg from 'pg'
import type { PgEnvelope, PgReply, PgRequest, PgStatement } from './sync-pg.ts'

/** A transaction request that may be grouped (a submitted batch). */
export type GroupableTx = PgEnvelope<Extract<PgRequest, { op: 'tx' }>>

/** Members per group: bounds the work redone when a group fails and the time one commit holds row locks. */
export const MAX_GROUP = 32

/** True when `m` may join a group: a non-blocking, non-serializable transaction. */
export function groupable(m: PgEnvelope<PgRequest> | undefined): m is GroupableTx {
  return m !== undefined && m.op === 'tx' && m.grouped === true && m.isolation === undefined
}

/** Prepared statements per connection, beyond which recurring texts run unprepared (bounds the server's memory). */
const MAX_PREPARED = 256
const preparedNames = new WeakMap<pg.Client, Map<string, string>>()

/** The query for `s` on `client`: named (prepared once per connection) when its text recurs and room is left. */
function queryOf(client: pg.Client, s: PgStatement): pg.QueryConfig {
  const query = { text: s.sql, values: s.params as unknown[] | undefined }
  if (!s.prepare) return query
  let names = preparedNames.get(client)
  if (!names) preparedNames.set(client, (names = new Map()))
  let name = names.get(s.sql)
  if (name === undefined && names.size < MAX_PREPARED) names.set(s.sql, (name = `airdrops_${names.size}`))
  return name === undefined ? query : { ...query, name }
}

/** Runs statements on the open transaction; returns the affected row count and the last rows, as the worker does. */
export async function runStatements(
  client: pg.Client,
  statements: readonly PgStatement[],
): Promise<{ rows: unknown[]; rowCount: number }> {
  let rowCount = 0
  let rows: unknown[] = []
  for (const s of statements) {
    // A parameterless multi-statement string (a migration) answers with one result per statement.
    const res = (await client.query(queryOf(client, s))) as pg.QueryResult | pg.QueryResult[]
    for (const r of Array.isArray(res) ? res : [res]) {
      rowCount += r.rowCount ?? 0
      if (r.rows.length) rows = r.rows
    }
  }
  return { rows, rowCount }
}

/**
 * Commits the members in one transaction and returns one reply per member; when that fails, runs each member alone
 * through `single` (its own transaction and outcome).
 */
export async function commitGroup(
  client: pg.Client,
  members: readonly GroupableTx[],
  single: (m: GroupableTx) => Promise<PgReply>,
): Promise<PgReply[]> {
  const replies: PgReply[] = []
  try {
    await client.query('BEGIN')
    for (const m of members) replies.push({ ok: true, ...(await runStatements(client, m.statements)) })
    await client.query('COMMIT')
    return replies
  } catch {
    await client.query('ROLLBACK').catch(() => undefined)
  }
  const alone: PgReply[] = []
  for (const m of members) alone.push(await single(m))
  return alone
}
