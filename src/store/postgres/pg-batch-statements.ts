// The scheduler's write batches as PostgreSQL statements: multi-row upserts of runs and schedule state, job writes
// in order, and in a cluster the lease fence that drops writes for groups this instance no longer holds. The usual
// batch (runs, schedule state, attempts) is one statement, so it commits in one round trip to the server.
import type { AttemptRecord, RunRecord, StoreOp } from '../../scheduler/store/store-port.ts'
import {
  attemptsSql,
  jobStatesSql,
  jobStateValues,
  runsSql,
  statesSql,
  type Grouped,
  type Held,
  type JobStateRecord,
} from './pg-batch-rows.ts'
import type { PgStatement } from './sync-pg.ts'

const PUT_JOB = `INSERT INTO jobs (id, task_type, spec_json, enabled, paused, priority, next_fire_at, last_fire_at, executions,
    last_outcome, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
  ON CONFLICT (id) DO UPDATE SET task_type = EXCLUDED.task_type, spec_json = EXCLUDED.spec_json, enabled = EXCLUDED.enabled,
    paused = EXCLUDED.paused, priority = EXCLUDED.priority, next_fire_at = EXCLUDED.next_fire_at, last_fire_at = EXCLUDED.last_fire_at,
    executions = EXCLUDED.executions, last_outcome = EXCLUDED.last_outcome, updated_at = EXCLUDED.updated_at`
const PUT_ATTEMPT = `INSERT INTO run_attempts (run_id, attempt, started_at, ended_at, error) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (run_id, attempt) DO UPDATE SET started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, error = EXCLUDED.error`
const SET_STATE =
  'INSERT INTO scheduler_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value'

/** One ordered op (a job, attempt or state write) as its own statement. */
function statement(o: Sorted['ordered'][number]): PgStatement {
  switch (o.op) {
    case 'putJob': {
      const j = o.job
      const params = [j.id, j.taskType, j.specJson, ...jobStateValues(j).slice(0, 7), j.createdAt, j.updatedAt]
      return { sql: PUT_JOB, params, prepare: true }
    }
    case 'deleteJob':
      return { sql: 'DELETE FROM jobs WHERE id = $1', params: [o.jobId], prepare: true }
    case 'putAttempt': {
      const a = o.attempt
      return { sql: PUT_ATTEMPT, params: [a.runId, a.attempt, a.startedAt, a.endedAt, a.error], prepare: true }
    }
    case 'setState':
      return { sql: SET_STATE, params: [o.key, o.value], prepare: true }
  }
}

/** A batch sorted for writing: the coalesced frequent writes, and the other ops in their order. */
interface Sorted {
  /** Job and other writes that keep their order (job writes, attempts, state). */
  ordered: Exclude<StoreOp, { op: 'putRun' | 'putJobState' | 'finishedBelow' }>[]
  /** Latest schedule state per job. */
  states: Grouped<JobStateRecord>[]
  /** Latest record per run, fenced in a cluster. */
  runs: Grouped<RunRecord>[]
  /** Runs handed to a group's owner (cluster only): written as they are. */
  handed: Grouped<RunRecord>[]
}

function sort(ops: readonly StoreOp[], fence: string | undefined): Sorted {
  const ordered: Sorted['ordered'] = []
  const runs = new Map<number, Grouped<RunRecord>>()
  const handed: Grouped<RunRecord>[] = []
  // Schedule-state updates (one per fire) are coalesced too; a later full write or delete of the job replaces them.
  const states = new Map<string, Grouped<JobStateRecord>>()
  for (const o of ops) {
    // A status index serves PostgreSQL's load of unfinished runs; it keeps no mark.
    if (o.op === 'finishedBelow') continue
    if (o.op === 'putRun') {
      if (fence && o.unfenced) handed.push({ row: o.run, group: null })
      else runs.set(o.run.id, { row: o.run, group: o.group ?? null })
    } else if (o.op === 'putJobState') states.set(o.job.id, { row: o.job, group: o.group ?? null })
    else {
      if (o.op === 'putJob') states.delete(o.job.id)
      if (o.op === 'deleteJob') states.delete(o.jobId)
      ordered.push(o)
    }
  }
  return { ordered, states: [...states.values()], runs: [...runs.values()], handed }
}

/**
 * A batch as few statements: runs (the bulk: each one is written when created, started and finished) become
 * multi-row upserts with the latest record of each id winning; job and state writes keep their order.
 * With `fence` (an instance id), run and schedule-state rows are written only for jobs whose group (named by the op)
 * that instance holds when the transaction runs: those group rows are share-locked first, so a peer's takeover waits
 * for the commit and then reads it, and writes queued before a lease was lost (a store outage, a stall) cannot
 * overwrite the new owner's records or leave runs nobody executes. Runs handed to a group's owner (`unfenced`) are
 * written as they are.
 */
export function batchStatements(ops: readonly StoreOp[], fence?: string): PgStatement[] {
  const sorted = sort(ops, fence)
  return asOneStatement(sorted, fence) ?? asStatements(sorted, fence)
}

/** The batch as a list of statements for one transaction: the form for batches that write or delete jobs. */
function asStatements(b: Sorted, fence: string | undefined): PgStatement[] {
  const statements = b.ordered.map(statement)
  if (fence) {
    const groups = new Set<string>()
    for (const e of [...b.runs, ...b.states]) if (e.group !== null) groups.add(e.group)
    statements.unshift({
      sql: 'SELECT 1 FROM job_groups WHERE owner = $1 AND grp = ANY($2::text[]) FOR SHARE',
      params: [fence, [...groups]],
      prepare: true,
    })
  }
  // Rows of held groups only: the fence above took their share locks; READ COMMITTED reads the owner again here.
  const held: Held = fence
    ? (params) => {
        params.push(fence)
        return `EXISTS (SELECT 1 FROM job_groups g WHERE g.grp = v.grp AND g.owner = $${params.length})`
      }
    : null
  const rows = <T>(list: readonly T[], sql: (rows: readonly T[], params: unknown[]) => string) => {
    if (!list.length) return
    const params: unknown[] = []
    statements.push({ sql: sql(list, params), params, prepare: true })
  }
  rows(b.states, (list, params) => jobStatesSql(list, params, held))
  rows(b.runs, (list, params) => runsSql(list, params, held))
  rows(b.handed, (list, params) => runsSql(list, params, null))
  return statements
}

/**
 * The batch as one statement (its own transaction, one round trip): each kind of row is one data-modifying WITH
 * query. Null when the batch needs several statements: it writes or deletes jobs (their order matters), or a run is
 * both handed and written fenced (one statement may not change a row twice).
 * Under a fence, the WITH query `fence` share-locks the held group rows: PostgreSQL waits for a peer's takeover in
 * progress and reads the row again after it, so a row is written only for a group still held, and a takeover that
 * comes later waits for this statement's commit.
 */
function asOneStatement(b: Sorted, fence: string | undefined): PgStatement[] | null {
  const attempts = new Map<string, AttemptRecord>()
  const states = new Map<string, { key: string; value: string }>()
  for (const o of b.ordered) {
    if (o.op === 'putAttempt') attempts.set(`${o.attempt.runId}:${o.attempt.attempt}`, o.attempt)
    else if (o.op === 'setState') states.set(o.key, { key: o.key, value: o.value })
    else return null
  }
  const ids = new Set(b.runs.map((r) => r.row.id))
  if (b.handed.some((h) => ids.has(h.row.id))) return null
  const params: unknown[] = []
  const queries: string[] = []
  let held: Held = null
  if (fence && (b.states.length || b.runs.length)) {
    const groups = [...new Set([...b.runs, ...b.states].flatMap((e) => (e.group === null ? [] : [e.group])))]
    params.push(fence, groups)
    queries.push(
      'fence AS MATERIALIZED (SELECT grp FROM job_groups WHERE owner = $1 AND grp = ANY($2::text[]) FOR SHARE)',
    )
    held = () => 'v.grp IN (SELECT grp FROM fence)'
  }
  const writes: string[] = []
  if (b.states.length) writes.push(jobStatesSql(b.states, params, held))
  if (b.runs.length) writes.push(runsSql(b.runs, params, held))
  if (b.handed.length) writes.push(runsSql(b.handed, params, null))
  if (attempts.size) writes.push(attemptsSql([...attempts.values()], params))
  if (states.size) writes.push(statesSql([...states.values()], params))
  if (writes.length === 0) return []
  if (queries.length === 0 && writes.length === 1) return [{ sql: writes[0]!, params, prepare: true }]
  queries.push(...writes.map((w, i) => `w${i} AS (${w})`))
  return [{ sql: `WITH ${queries.join(',\n')}\nSELECT 1`, params, prepare: true }]
}
