// The scheduler's store port on PostgreSQL: same records and semantics as the SQLite store, one transaction per
// batch through the bridge (sync-pg.ts): the loop's batches without blocking, reads and other writes blocking.
import { AppError } from '../../errors/app-error.ts'
import type { ListRunsQuery, PruneQuery, RunPage, SchedulerStore } from '../../scheduler/store/store-port.ts'
import { applyPgMigrations } from './migrate.ts'
import { batchStatements } from './pg-batch-statements.ts'
import { toJob, toRun, type Row } from './pg-records.ts'
import { createSyncPg, type PgStatement, type SyncPg } from './sync-pg.ts'

const ACTIVE_SQL = "('pending','delayed','held','running','retrying')"
const FINISHED = `status NOT IN ${ACTIVE_SQL} AND NOT (status = 'interrupted' AND recovery = 'pending')`

function writeError(changes: number, cause: unknown): AppError {
  return new AppError('STORE_WRITE', `scheduler store write of ${changes} changes failed; nothing was applied`, {
    cause,
    retryable: true,
    hint: 'check that the PostgreSQL server is reachable and has space',
  })
}

/** Run ids per block (the sequence's increment in migration 0002). */
const RUN_ID_BLOCK = 1_000

/** Options: a URL (with its password: it is registered as a secret) or an open connection. */
export interface PostgresStoreOptions {
  url?: string
  pg?: SyncPg
  /** In a cluster: this instance's id; runs and schedule state are written only for jobs of groups it holds. */
  fenceOwner?: string
}

/** Opens the store, applying pending migrations first. */
export function createPostgresSchedulerStore(
  options: PostgresStoreOptions,
): SchedulerStore & { pg: SyncPg; allocateRunIds(): { first: number; count: number } } {
  const pg = options.pg ?? createSyncPg(options.url ?? '')
  applyPgMigrations(pg)
  return {
    pg,
    applyBatch(ops) {
      try {
        // Batches submitted before commit first; one that failed fails this call too (its changes are put back).
        pg.drain()
        if (ops.length) pg.transaction(batchStatements(ops, options.fenceOwner))
      } catch (cause) {
        throw writeError(ops.length, cause)
      }
    },
    // The scheduler's thread does not wait for the commit: the loop goes on while PostgreSQL writes the batch.
    submitBatch(ops) {
      if (ops.length === 0) return null
      return pg.submitTransaction(batchStatements(ops, options.fenceOwner)).then(
        () => undefined,
        (cause: unknown) => Promise.reject(writeError(ops.length, cause)),
      )
    },
    loadJobs: () => pg.query<Row>('SELECT * FROM jobs ORDER BY created_at, id').map(toJob),
    getJob: (id) => pg.query<Row>('SELECT * FROM jobs WHERE id = $1', [id]).map(toJob)[0] ?? null,
    loadUnfinishedRuns: () =>
      pg
        .query<Row>(
          `SELECT * FROM runs WHERE status IN ${ACTIVE_SQL} OR (status = 'interrupted' AND recovery = 'pending') ORDER BY id`,
        )
        .map(toRun),
    getRun: (id) => pg.query<Row>('SELECT * FROM runs WHERE id = $1', [id]).map(toRun)[0] ?? null,
    listRuns(q: ListRunsQuery): RunPage {
      const limit = Math.max(1, Math.min(q.limit ?? 50, 1000))
      const cursor = q.cursor !== undefined ? Number(q.cursor) : undefined
      if (cursor !== undefined && !Number.isSafeInteger(cursor)) {
        throw new AppError('STORE_CURSOR', `bad run cursor "${q.cursor}"`, {
          hint: 'pass the nextCursor of a previous page',
        })
      }
      const where: string[] = []
      const params: unknown[] = []
      if (q.jobId !== undefined) {
        params.push(q.jobId)
        where.push(`job_id = $${params.length}`)
      }
      if (q.status !== undefined) {
        params.push(q.status)
        where.push(`status = $${params.length}`)
      }
      if (cursor !== undefined) {
        params.push(cursor)
        where.push(`id < $${params.length}`)
      }
      params.push(limit + 1)
      const rows = pg.query<Row>(
        `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
        params,
      )
      const runs = rows.slice(0, limit).map(toRun)
      const last = runs[runs.length - 1]
      return { runs, nextCursor: rows.length > limit && last ? String(last.id) : null }
    },
    listAttempts: (runId) =>
      pg.query<Row>('SELECT * FROM run_attempts WHERE run_id = $1 ORDER BY attempt', [runId]).map((r) => ({
        runId: Number(r.run_id),
        attempt: Number(r.attempt),
        startedAt: Number(r.started_at),
        endedAt: Number(r.ended_at),
        error: (r.error as string | null) ?? null,
      })),
    allocateRunIds: () => ({
      first: Number(pg.query<{ v: number }>("SELECT nextval('run_id_blocks') AS v")[0]!.v),
      count: RUN_ID_BLOCK,
    }),
    maxRunId: () => Number(pg.query<{ m: number }>('SELECT COALESCE(MAX(id), 0) AS m FROM runs')[0]!.m),
    getState: (key) =>
      pg.query<{ value: string }>('SELECT value FROM scheduler_state WHERE key = $1', [key])[0]?.value ?? null,
    pruneRuns(q: PruneQuery): number {
      const statements: PgStatement[] = []
      if (q.endedBeforeMs !== undefined) {
        const old = `SELECT id FROM runs WHERE ${FINISHED} AND COALESCE(ended_at, created_at) < $1`
        statements.push({ sql: `DELETE FROM run_attempts WHERE run_id IN (${old})`, params: [q.endedBeforeMs] })
        statements.push({ sql: `DELETE FROM runs WHERE id IN (${old})`, params: [q.endedBeforeMs] })
      }
      if (q.keepPerJob !== undefined) {
        const victims = `SELECT id FROM (SELECT id, status, recovery, ROW_NUMBER() OVER (PARTITION BY job_id ORDER BY id DESC) AS rn
          FROM runs) v WHERE rn > $1 AND ${FINISHED}`
        statements.push({ sql: `DELETE FROM run_attempts WHERE run_id IN (${victims})`, params: [q.keepPerJob] })
        statements.push({ sql: `DELETE FROM runs WHERE id IN (${victims})`, params: [q.keepPerJob] })
      }
      if (statements.length === 0) return 0
      // Attempts are deleted first in each pair, so the row count counts runs and attempts: count runs separately.
      const before = Number(pg.query<{ c: number }>('SELECT COUNT(*)::bigint AS c FROM runs')[0]!.c)
      pg.transaction(statements)
      return before - Number(pg.query<{ c: number }>('SELECT COUNT(*)::bigint AS c FROM runs')[0]!.c)
    },
    close: () => pg.close(),
  }
}
