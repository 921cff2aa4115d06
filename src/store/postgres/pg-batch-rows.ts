// The multi-row statements of a scheduler write batch on PostgreSQL: job schedule state, runs, attempts and
// scheduler state, each as one statement over many rows, which arrive as one array per column. Every builder
// appends its arrays to the caller's parameter list and numbers its placeholders from there, so the same text serves
// a statement of its own or one part of a larger statement (pg-batch-statements.ts), whatever the number of rows.
import type { AttemptRecord, RunRecord, StoreOp } from '../../scheduler/store/store-port.ts'

/** A job's schedule state as the batch writes it. */
export type JobStateRecord = Extract<StoreOp, { op: 'putJobState' }>['job']
/** A row with the job group that fences it (null: no group). */
export interface Grouped<T> {
  row: T
  group: string | null
}
/**
 * The fence condition on the row `v` (its column `grp`), given the parameter list to append to; null writes every
 * row.
 */
export type Held = ((params: unknown[]) => string) | null

/** A job's schedule state in the column order both job-state statements use (after the id, when it leads). */
export function jobStateValues(j: JobStateRecord): unknown[] {
  return [j.enabled, j.paused, j.priority, j.nextFireAt, j.lastFireAt, j.executions, j.lastOutcome, j.updatedAt]
}

const RUN_UPDATES = `status = EXCLUDED.status, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
    attempt = EXCLUDED.attempt, error = EXCLUDED.error, result_json = EXCLUDED.result_json, reason = EXCLUDED.reason,
    gate_action = EXCLUDED.gate_action, gate_reason = EXCLUDED.gate_reason, gate_until = EXCLUDED.gate_until,
    missed_count = EXCLUDED.missed_count, recovery = EXCLUDED.recovery`
/** Column names and types of `runs` in insert order (the types of the arrays the rows arrive in). */
const RUN_COLUMNS: readonly (readonly [string, string])[] = [
  ['id', 'bigint'],
  ['job_id', 'text'],
  ['status', 'text'],
  ['origin', 'text'],
  ['scheduled_for', 'bigint'],
  ['created_at', 'bigint'],
  ['started_at', 'bigint'],
  ['ended_at', 'bigint'],
  ['attempt', 'integer'],
  ['error', 'text'],
  ['result_json', 'text'],
  ['args_json', 'text'],
  ['reason', 'text'],
  ['gate_action', 'text'],
  ['gate_reason', 'text'],
  ['gate_until', 'bigint'],
  ['missed_count', 'bigint'],
  ['recovered_from', 'bigint'],
  ['recovery', 'text'],
]
const RUN_COLUMN_LIST = RUN_COLUMNS.map(([c]) => c).join(', ')

/** A run's values in RUN_COLUMNS order. */
function runValues(r: RunRecord): unknown[] {
  return [
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
  ]
}

/**
 * `unnest($a::t1[], $b::t2[], …)` over `rows`, one array parameter per column appended to `params`: the text does not
 * depend on the number of rows, so the server can keep one prepared plan per shape of batch.
 */
function columnsOf<T>(rows: readonly T[], params: unknown[], types: readonly string[], values: (r: T) => unknown[]) {
  const columns: unknown[][] = types.map(() => [])
  for (const r of rows) values(r).forEach((v, i) => columns[i]!.push(v))
  const b = params.length
  params.push(...columns)
  return `unnest(${types.map((t, i) => `$${b + i + 1}::${t}[]`).join(', ')})`
}

/** An update of the jobs' schedule state (never their spec); `held` limits it to jobs of held groups. */
export function jobStatesSql(rows: readonly Grouped<JobStateRecord>[], params: unknown[], held: Held): string {
  const types = ['text', 'boolean', 'boolean', 'text', 'bigint', 'bigint', 'bigint', 'text', 'bigint', 'text']
  const values = columnsOf(rows, params, types, ({ row: j, group }) => [j.id, ...jobStateValues(j), group])
  return `UPDATE jobs AS j SET enabled = v.enabled, paused = v.paused, priority = v.priority, next_fire_at = v.next_fire_at,
      last_fire_at = v.last_fire_at, executions = v.executions, last_outcome = v.last_outcome, updated_at = v.updated_at
      FROM ${values} AS v (id, enabled, paused, priority, next_fire_at, last_fire_at, executions, last_outcome, updated_at, grp)
      WHERE j.id = v.id${held ? ` AND ${held(params)}` : ''}`
}

/** An upsert of runs (each id once); `held` limits it to runs of held groups. */
export function runsSql(rows: readonly Grouped<RunRecord>[], params: unknown[], held: Held): string {
  const types = [...RUN_COLUMNS.map(([, t]) => t), 'text']
  const values = columnsOf(rows, params, types, ({ row, group }) => [...runValues(row), group])
  return `INSERT INTO runs (${RUN_COLUMN_LIST}) SELECT ${RUN_COLUMNS.map(([c]) => `v.${c}`).join(', ')}
    FROM ${values} AS v (${RUN_COLUMN_LIST}, grp)${held ? ` WHERE ${held(params)}` : ''}
    ON CONFLICT (id) DO UPDATE SET ${RUN_UPDATES}`
}

/** An upsert of failed attempts (each (run, attempt) once). */
export function attemptsSql(rows: readonly AttemptRecord[], params: unknown[]): string {
  const types = ['bigint', 'integer', 'bigint', 'bigint', 'text']
  const values = columnsOf(rows, params, types, (a) => [a.runId, a.attempt, a.startedAt, a.endedAt, a.error])
  return `INSERT INTO run_attempts (run_id, attempt, started_at, ended_at, error) SELECT * FROM ${values}
  ON CONFLICT (run_id, attempt) DO UPDATE SET started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, error = EXCLUDED.error`
}

/** An upsert of scheduler state entries (each key once). */
export function statesSql(rows: readonly { key: string; value: string }[], params: unknown[]): string {
  const values = columnsOf(rows, params, ['text', 'text'], (s) => [s.key, s.value])
  return `INSERT INTO scheduler_state (key, value) SELECT * FROM ${values} ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`
}
