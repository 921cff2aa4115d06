// The scheduler's write batches as PostgreSQL statements: multi-row upserts of runs and schedule state, job writes
// in order, and in a cluster the lease fence that drops writes for groups this instance no longer holds.
import type { RunRecord, StoreOp } from '../../scheduler/store/store-port.ts'
import type { PgStatement } from './sync-pg.ts'

const PUT_JOB = `INSERT INTO jobs (id, task_type, spec_json, enabled, paused, priority, next_fire_at, last_fire_at, executions,
    last_outcome, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
  ON CONFLICT (id) DO UPDATE SET task_type = EXCLUDED.task_type, spec_json = EXCLUDED.spec_json, enabled = EXCLUDED.enabled,
    paused = EXCLUDED.paused, priority = EXCLUDED.priority, next_fire_at = EXCLUDED.next_fire_at, last_fire_at = EXCLUDED.last_fire_at,
    executions = EXCLUDED.executions, last_outcome = EXCLUDED.last_outcome, updated_at = EXCLUDED.updated_at`
/** A job's schedule state in the column order both job-state statements use (after the id, when it leads). */
function jobStateValues(j: JobStateRecord): unknown[] {
  return [j.enabled, j.paused, j.priority, j.nextFireAt, j.lastFireAt, j.executions, j.lastOutcome, j.updatedAt]
}
type JobStateRecord = Extract<StoreOp, { op: 'putJobState' }>['job']

const PUT_JOB_STATE = `UPDATE jobs SET enabled = $1, paused = $2, priority = $3, next_fire_at = $4, last_fire_at = $5, executions = $6,
  last_outcome = $7, updated_at = $8 WHERE id = $9`
const PUT_RUN = `INSERT INTO runs (id, job_id, status, origin, scheduled_for, created_at, started_at, ended_at, attempt, error,
    result_json, args_json, reason, gate_action, gate_reason, gate_until, missed_count, recovered_from, recovery)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
  ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
    attempt = EXCLUDED.attempt, error = EXCLUDED.error, result_json = EXCLUDED.result_json, reason = EXCLUDED.reason,
    gate_action = EXCLUDED.gate_action, gate_reason = EXCLUDED.gate_reason, gate_until = EXCLUDED.gate_until,
    missed_count = EXCLUDED.missed_count, recovery = EXCLUDED.recovery`
const PUT_ATTEMPT = `INSERT INTO run_attempts (run_id, attempt, started_at, ended_at, error) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (run_id, attempt) DO UPDATE SET started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, error = EXCLUDED.error`
const SET_STATE =
  'INSERT INTO scheduler_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value'

function statement(o: StoreOp): PgStatement {
  switch (o.op) {
    case 'putJob': {
      const j = o.job
      return {
        sql: PUT_JOB,
        params: [
          j.id,
          j.taskType,
          j.specJson,
          j.enabled,
          j.paused,
          j.priority,
          j.nextFireAt,
          j.lastFireAt,
          j.executions,
          j.lastOutcome,
          j.createdAt,
          j.updatedAt,
        ],
      }
    }
    case 'putJobState': {
      const j = o.job
      return {
        sql: PUT_JOB_STATE,
        params: [...jobStateValues(j), j.id],
      }
    }
    case 'deleteJob':
      return { sql: 'DELETE FROM jobs WHERE id = $1', params: [o.jobId] }
    case 'putRun': {
      const r = o.run
      return {
        sql: PUT_RUN,
        params: [
          r.id,
          r.jobId,
          r.status,
          r.origin,
          r.scheduledFor,
          r.createdAt,
          r.startedAt,
          r.endedAt,
          r.attempt,
          r.error,
          r.resultJson,
          r.argsJson,
          r.reason,
          r.gateAction,
          r.gateReason,
          r.gateUntil,
          r.missedCount,
          r.recoveredFrom,
          r.recovery,
        ],
      }
    }
    case 'putAttempt': {
      const a = o.attempt
      return { sql: PUT_ATTEMPT, params: [a.runId, a.attempt, a.startedAt, a.endedAt, a.error] }
    }
    case 'setState':
      return { sql: SET_STATE, params: [o.key, o.value] }
    case 'finishedBelow':
      throw new Error('finishedBelow has no PostgreSQL statement')
  }
}

const RUN_UPSERT_TAIL = PUT_RUN.slice(PUT_RUN.indexOf('ON CONFLICT'))
/** Rows per multi-row statement: PostgreSQL allows 65,535 parameters per statement. */
const ROWS_PER_STATEMENT = 1_000

/** Column types of `runs` in insert order: a fenced insert selects from VALUES, whose parameters need them. */
const RUN_TYPES = [
  'bigint',
  'text',
  'text',
  'text',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'integer',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'bigint',
  'bigint',
  'text',
]
const RUN_COLUMNS = RUN_TYPES.length
const RUN_COLUMN_LIST = PUT_RUN.slice(PUT_RUN.indexOf('(') + 1, PUT_RUN.indexOf(')'))
  .replace(/\s+/g, ' ')
  .trim()
/** True for a VALUES row `v` whose group (`v.grp`) the instance `$p` holds. */
const held = (p: number) => `EXISTS (SELECT 1 FROM job_groups g WHERE g.grp = v.grp AND g.owner = $${p})`

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
  const statements: PgStatement[] = []
  const runs = new Map<number, { run: RunRecord; group: string | null }>()
  const handed: RunRecord[] = []
  // Schedule-state updates (one per fire) are coalesced too; a later full write or delete of the job replaces them.
  const states = new Map<string, { job: Extract<StoreOp, { op: 'putJobState' }>['job']; group: string | null }>()
  for (const o of ops) {
    // A status index serves PostgreSQL's load of unfinished runs; it keeps no mark.
    if (o.op === 'finishedBelow') continue
    if (o.op === 'putRun') {
      if (fence && o.unfenced) handed.push(o.run)
      else runs.set(o.run.id, { run: o.run, group: o.group ?? null })
    } else if (o.op === 'putJobState') states.set(o.job.id, { job: o.job, group: o.group ?? null })
    else {
      if (o.op === 'putJob') states.delete(o.job.id)
      if (o.op === 'deleteJob') states.delete(o.jobId)
      statements.push(statement(o))
    }
  }
  if (fence) {
    const groups = new Set<string>()
    for (const e of [...runs.values(), ...states.values()]) if (e.group !== null) groups.add(e.group)
    statements.unshift({
      sql: 'SELECT 1 FROM job_groups WHERE owner = $1 AND grp = ANY($2::text[]) FOR SHARE',
      params: [fence, [...groups]],
    })
  }
  const jobRows = [...states.values()]
  for (let i = 0; i < jobRows.length; i += ROWS_PER_STATEMENT) {
    const params: unknown[] = []
    const values = jobRows.slice(i, i + ROWS_PER_STATEMENT).map(({ job: j, group }) => {
      const b = params.length
      params.push(j.id, ...jobStateValues(j), group)
      return `($${b + 1}::text, $${b + 2}::boolean, $${b + 3}::boolean, $${b + 4}::text, $${b + 5}::bigint, $${b + 6}::bigint, $${b + 7}::bigint, $${b + 8}::text, $${b + 9}::bigint, $${b + 10}::text)`
    })
    if (fence) params.push(fence)
    statements.push({
      sql: `UPDATE jobs AS j SET enabled = v.enabled, paused = v.paused, priority = v.priority, next_fire_at = v.next_fire_at,
      last_fire_at = v.last_fire_at, executions = v.executions, last_outcome = v.last_outcome, updated_at = v.updated_at
      FROM (VALUES ${values.join(', ')}) AS v (id, enabled, paused, priority, next_fire_at, last_fire_at, executions, last_outcome, updated_at, grp)
      WHERE j.id = v.id${fence ? ` AND ${held(params.length)}` : ''}`,
      params,
    })
  }
  const rowsOf = (list: { run: RunRecord; group: string | null }[], fenced: boolean) => {
    for (let i = 0; i < list.length; i += ROWS_PER_STATEMENT) {
      const params: unknown[] = []
      const values = list.slice(i, i + ROWS_PER_STATEMENT).map(({ run, group }, k) => {
        params.push(...(statement({ op: 'putRun', run }).params as unknown[]))
        if (!fenced) return `(${RUN_TYPES.map((_, c) => `$${k * RUN_COLUMNS + c + 1}`).join(', ')})`
        params.push(group)
        return `(${RUN_TYPES.map((t, c) => `$${k * (RUN_COLUMNS + 1) + c + 1}::${t}`).join(', ')}, $${(k + 1) * (RUN_COLUMNS + 1)}::text)`
      })
      if (!fenced) {
        statements.push({
          sql: `INSERT INTO runs (${RUN_COLUMN_LIST}) VALUES ${values.join(', ')} ${RUN_UPSERT_TAIL}`,
          params,
        })
        continue
      }
      params.push(fence)
      statements.push({
        sql: `INSERT INTO runs (${RUN_COLUMN_LIST}) SELECT ${RUN_COLUMN_LIST.split(', ')
          .map((c) => `v.${c}`)
          .join(', ')}
        FROM (VALUES ${values.join(', ')}) AS v (${RUN_COLUMN_LIST}, grp) WHERE ${held(params.length)} ${RUN_UPSERT_TAIL}`,
        params,
      })
    }
  }
  rowsOf([...runs.values()], fence !== undefined)
  rowsOf(
    handed.map((run) => ({ run, group: null })),
    false,
  )
  return statements
}
