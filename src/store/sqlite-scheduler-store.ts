// better-sqlite3 implementation of the scheduler store port: prepared statements, one transaction per batch.
import type { Db } from './database.ts'
import { startCheckpointer } from './checkpointer.ts'
import { openDatabase } from './database.ts'
import { AppError } from '../errors/app-error.ts'
import { encodeOps, prepareBatch, UNFINISHED_FROM_KEY, UNFINISHED_RUN_SQL, type EncodedBatch } from './sqlite-batch.mjs'
import { startSqliteWriter, storeWriteError } from './sqlite-writer.ts'
import { toRun } from './run-row.ts'
import type {
  JobRecord,
  ListRunsQuery,
  PruneQuery,
  RunPage,
  SchedulerStore,
  UnreflectedFire,
  UnreflectedOutcome,
} from '../scheduler/store/store-port.ts'

type Row = Record<string, unknown>

function toJob(r: Row): JobRecord {
  return {
    id: r.id as string,
    taskType: r.task_type as string,
    specJson: r.spec_json as string,
    enabled: r.enabled === 1,
    paused: r.paused === 1,
    priority: r.priority as JobRecord['priority'],
    nextFireAt: (r.next_fire_at as number | null) ?? null,
    lastFireAt: (r.last_fire_at as number | null) ?? null,
    executions: r.executions as number,
    lastOutcome: (r.last_outcome as JobRecord['lastOutcome']) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    stateRunId: (r.state_run_id as number | undefined) ?? 0,
    outcomeSeq: (r.outcome_seq as number | undefined) ?? 0,
  }
}

/** Options for the SQLite scheduler store. */
export interface SqliteStoreOptions {
  /** An already opened database (migrations applied), or a path to open. */
  db?: Db
  path?: string
  /** Checkpoint the WAL from a worker thread instead of the writer's (default true; short-lived readers pass false). */
  backgroundCheckpoints?: boolean
  /**
   * Commit large batches on a writer thread with its own connection, beside the scheduler's thread (default: on
   * for a file the store opened itself; off for a handle shared with other writers on this thread).
   */
  writerThread?: boolean
}

/** Encoded values from which a batch goes to the writer thread (about 25 run changes). */
const THREAD_MIN_VALUES = 500

/**
 * Creates the SQLite scheduler store. It owns the database handle when it opened it from `path`
 * (close() closes it); a handle passed in is closed too, since the scheduler is its only writer.
 */
export function createSqliteSchedulerStore(options: SqliteStoreOptions): SchedulerStore {
  const db = options.db ?? openDatabase({ path: options.path ?? ':memory:' })
  const checkpoints = options.backgroundCheckpoints !== false && !db.memory
  const threaded = options.writerThread ?? (!options.db && !db.memory)
  // One background thread per store: the writer thread checkpoints too when there is one.
  const checkpointer = checkpoints && !threaded ? startCheckpointer(db) : null
  const selJobs = db.prepare('SELECT * FROM jobs ORDER BY created_at, id')
  const selJob = db.prepare('SELECT * FROM jobs WHERE id = ?')
  // A primary-key range from the mark up (every run below it is finished), not a scan of the whole history.
  const selUnfinished = db.prepare(`SELECT * FROM runs WHERE id >= COALESCE((SELECT CAST(value AS INTEGER)
    FROM scheduler_state WHERE key = '${UNFINISHED_FROM_KEY}'), 0) AND ${UNFINISHED_RUN_SQL} ORDER BY id`)
  const selRun = db.prepare('SELECT * FROM runs WHERE id = ?')
  // CROSS JOIN keeps jobs outer: one runs_job index range per job above its marker (normally empty), not a scan
  // of the whole run history.
  const selUnreflected = db.prepare(`SELECT r.job_id AS jobId, r.id AS runId, r.status, r.scheduled_for AS scheduledFor
    FROM jobs j CROSS JOIN runs r ON r.job_id = j.id AND r.id > j.state_run_id WHERE r.origin = 'schedule' ORDER BY r.id`)
  // Runs outer, from the runs_outcome index above the last checkpoint (only what finished since).
  const selOutcomes = db.prepare(`SELECT r.job_id AS jobId, r.status, r.outcome_seq AS seq FROM runs r CROSS JOIN jobs j
    ON j.id = r.job_id WHERE r.outcome_seq > ? AND r.outcome_seq > j.outcome_seq ORDER BY r.outcome_seq`)
  // The WHERE lets the partial runs_outcome index answer; without it, MAX reads the whole run history at each load.
  const selMaxSeq = db.prepare('SELECT COALESCE(MAX(outcome_seq), 0) AS m FROM runs WHERE outcome_seq IS NOT NULL')
  const selAttempts = db.prepare('SELECT * FROM run_attempts WHERE run_id = ? ORDER BY attempt')
  const selMax = db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM runs')
  const selState = db.prepare('SELECT value FROM scheduler_state WHERE key = ?')
  const listStmts = new Map<string, ReturnType<Db['prepare']>>()

  const apply = prepareBatch(db)
  const writer = threaded ? startSqliteWriter(db.name, { checkpointMs: checkpoints ? 1_000 : null }) : null
  if (writer && checkpoints) {
    db.pragma('wal_autocheckpoint = 0')
    // If the thread dies, this connection checkpoints itself again (SQLite's default).
    writer.onStopped(() => db.open && db.pragma('wal_autocheckpoint = 1000'))
  }
  /** Reads and main-thread writes wait for the writer thread's queue, so they see (and follow) every batch. */
  const settled = () => writer?.drainSync({ reportFailures: false })
  const applyHere = (flat: EncodedBatch) => {
    try {
      apply.immediate([flat])
    } catch (cause) {
      throw storeWriteError(cause instanceof Error ? cause.message : String(cause), cause)
    }
  }

  function listStmt(jobId: boolean, status: boolean, cursor: boolean) {
    const key = `${jobId}${status}${cursor}`
    let s = listStmts.get(key)
    if (!s) {
      const where = [jobId && 'job_id = @jobId', status && 'status = @status', cursor && 'id < @cursor'].filter(Boolean)
      s = db.prepare(
        `SELECT * FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT @limit`,
      )
      listStmts.set(key, s)
    }
    return s
  }

  return {
    applyBatch(ops) {
      // Blocking: batches queued on the writer thread commit first (an empty batch only waits for them).
      writer?.drainSync()
      if (ops.length === 0) return
      applyHere(encodeOps(ops))
    },
    submitBatch(ops) {
      if (ops.length === 0) return null
      const flat = encodeOps(ops)
      // Small batches with nothing queued commit here at once (no thread round trip on the latency path).
      if (!writer || (writer.inFlight === 0 && flat.values.length < THREAD_MIN_VALUES)) {
        applyHere(flat)
        return null
      }
      return writer.submit(flat)
    },
    loadJobs: () => (settled(), (selJobs.all() as Row[]).map(toJob)),
    getJob(jobId) {
      settled()
      const r = selJob.get(jobId) as Row | undefined
      return r ? toJob(r) : null
    },
    loadUnfinishedRuns: () => (settled(), (selUnfinished.all() as Row[]).map(toRun)),
    loadUnreflectedFires: () => (settled(), selUnreflected.all() as UnreflectedFire[]),
    loadUnreflectedOutcomes(afterSeq) {
      settled()
      return {
        outcomes: selOutcomes.all(afterSeq) as UnreflectedOutcome[],
        maxSeq: (selMaxSeq.get() as { m: number }).m,
      }
    },
    getRun(runId) {
      settled()
      const r = selRun.get(runId) as Row | undefined
      return r ? toRun(r) : null
    },
    listRuns(q: ListRunsQuery): RunPage {
      settled()
      const limit = Math.max(1, Math.min(q.limit ?? 50, 1000))
      const cursor = q.cursor !== undefined ? Number(q.cursor) : undefined
      if (cursor !== undefined && !Number.isSafeInteger(cursor)) {
        throw new AppError('STORE_CURSOR', `bad run cursor "${q.cursor}"`, {
          hint: 'pass the nextCursor of a previous page',
        })
      }
      const rows = listStmt(q.jobId !== undefined, q.status !== undefined, cursor !== undefined).all({
        jobId: q.jobId,
        status: q.status,
        cursor,
        limit: limit + 1,
      }) as Row[]
      const runs = rows.slice(0, limit).map(toRun)
      const last = runs[runs.length - 1]
      return { runs, nextCursor: rows.length > limit && last ? String(last.id) : null }
    },
    listAttempts: (runId) =>
      (settled(), selAttempts.all(runId) as Row[]).map((r) => ({
        runId: r.run_id as number,
        attempt: r.attempt as number,
        startedAt: r.started_at as number,
        endedAt: r.ended_at as number,
        error: (r.error as string | null) ?? null,
      })),
    maxRunId: () => (settled(), (selMax.get() as { m: number }).m),
    getState(key) {
      settled()
      const r = selState.get(key) as { value: string } | undefined
      return r ? r.value : null
    },
    pruneRuns(q: PruneQuery): number {
      settled()
      return db
        .transaction(() => {
          let n = 0
          // Runs whose fire or outcome their job row does not hold yet are the only record of it: kept until it does.
          const finished = `NOT ${UNFINISHED_RUN_SQL}
            AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = runs.job_id
              AND ((runs.origin = 'schedule' AND runs.id > j.state_run_id) OR runs.outcome_seq > j.outcome_seq))`
          if (q.endedBeforeMs !== undefined) {
            db.prepare(
              `DELETE FROM run_attempts WHERE run_id IN (SELECT id FROM runs WHERE ${finished}
              AND COALESCE(ended_at, created_at) < ?)`,
            ).run(q.endedBeforeMs)
            n += db
              .prepare(`DELETE FROM runs WHERE ${finished} AND COALESCE(ended_at, created_at) < ?`)
              .run(q.endedBeforeMs).changes
          }
          if (q.keepPerJob !== undefined) {
            const victims = `SELECT id FROM (SELECT id, job_id, origin, status, recovery, outcome_seq,
                ROW_NUMBER() OVER (PARTITION BY job_id ORDER BY id DESC) AS rn FROM runs) AS runs WHERE rn > @keep AND ${finished}`
            db.prepare(`DELETE FROM run_attempts WHERE run_id IN (${victims})`).run({ keep: q.keepPerJob })
            n += db.prepare(`DELETE FROM runs WHERE id IN (${victims})`).run({ keep: q.keepPerJob }).changes
          }
          return n
        })
        .immediate()
    },
    close() {
      try {
        writer?.close()
      } finally {
        void checkpointer?.stop()
        if (db.open) db.close()
      }
    },
  }
}
