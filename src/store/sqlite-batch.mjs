// The scheduler store's write batches as flat arrays of primitives, and the statements that apply them. Shared by the
// main thread and the writer thread (plain JavaScript: a worker thread does not load the TypeScript hooks), so
// the layout is defined once. Flat arrays of primitives cross to a worker far cheaper than op objects, and
// consecutive rows of one kind go through multi-row statements (fewer native calls per row).
// @ts-check
/** @import { Database, Statement, Transaction } from 'better-sqlite3' */
/** @import { StoreOp } from '../scheduler/store/store-port.ts' */

/**
 * A batch of store ops: one op code per op, and all their values in one flat array of primitives.
 * @typedef {{ codes: number[], values: unknown[] }} EncodedBatch
 */

const OP_RUN = 1
const OP_JOB_STATE = 2
const OP_JOB = 3
const OP_DELETE_JOB = 4
const OP_ATTEMPT = 5
const OP_STATE = 6
const OP_FINISHED_BELOW = 7
/** Values that follow each op code. */
const WIDTH = {
  [OP_RUN]: 20,
  [OP_JOB_STATE]: 11,
  [OP_JOB]: 14,
  [OP_DELETE_JOB]: 1,
  [OP_ATTEMPT]: 5,
  [OP_STATE]: 2,
  [OP_FINISHED_BELOW]: 1,
}
/** @typedef {keyof typeof WIDTH} OpCode */
/** Rows per multi-row statement. */
const ROWS = 32

/** @param {boolean} b */
const bool = (b) => (b ? 1 : 0)

/** A run row that is not finished: active, or interrupted with its recovery still to apply. */
export const UNFINISHED_RUN_SQL = `(status IN ('pending','delayed','held','running','retrying')
  OR (status = 'interrupted' AND recovery = 'pending'))`
/**
 * scheduler_state key: every run with a smaller id is finished, so loading reads the unfinished runs from there
 * on (a primary-key range) instead of keeping a status index, whose entry every finish moved (about half of a
 * finish's write cost).
 */
export const UNFINISHED_FROM_KEY = 'unfinished_from'

/**
 * Scratch arrays the next batch is encoded into; each batch gets an exact-size copy. Growing a fresh array per
 * batch copied it several times (about 1 KB of garbage per run at high rates), and an array sized up front is
 * holey, which postMessage serializes element by element. They keep the largest batch's size (and until
 * overwritten, its values): one batch's worth of memory.
 */
/** @type {number[]} */
const scratchCodes = []
/** @type {unknown[]} */
const scratchValues = []

/**
 * Encodes store ops as one op code per op and one flat array of their values, in statement order: a run of rows
 * of one kind is then a contiguous slice, bound to a multi-row statement without copying value by value.
 * @param {readonly StoreOp[]} ops
 * @returns {EncodedBatch}
 */
export function encodeOps(ops) {
  const codes = scratchCodes
  const values = scratchValues
  let v = 0
  for (let i = 0; i < ops.length; i++) {
    const o = /** @type {StoreOp} */ (ops[i])
    switch (o.op) {
      case 'putRun': {
        const r = o.run
        codes[i] = OP_RUN
        values[v++] = r.id
        values[v++] = r.jobId
        values[v++] = r.status
        values[v++] = r.origin
        values[v++] = r.scheduledFor
        values[v++] = r.createdAt
        values[v++] = r.startedAt
        values[v++] = r.endedAt
        values[v++] = r.attempt
        values[v++] = r.error
        values[v++] = r.resultJson
        values[v++] = r.argsJson
        values[v++] = r.reason
        values[v++] = r.gateAction
        values[v++] = r.gateReason
        values[v++] = r.gateUntil
        values[v++] = r.missedCount
        values[v++] = r.recoveredFrom
        values[v++] = r.recovery
        values[v++] = r.outcomeSeq ?? null
        break
      }
      case 'putJobState': {
        const j = o.job
        codes[i] = OP_JOB_STATE
        values[v++] = bool(j.enabled)
        values[v++] = bool(j.paused)
        values[v++] = j.priority
        values[v++] = j.nextFireAt
        values[v++] = j.lastFireAt
        values[v++] = j.executions
        values[v++] = j.lastOutcome
        values[v++] = j.updatedAt
        values[v++] = j.stateRunId ?? 0
        values[v++] = j.outcomeSeq ?? 0
        values[v++] = j.id
        break
      }
      case 'putJob': {
        const j = o.job
        codes[i] = OP_JOB
        values[v++] = j.id
        values[v++] = j.taskType
        values[v++] = j.specJson
        values[v++] = bool(j.enabled)
        values[v++] = bool(j.paused)
        values[v++] = j.priority
        values[v++] = j.nextFireAt
        values[v++] = j.lastFireAt
        values[v++] = j.executions
        values[v++] = j.lastOutcome
        values[v++] = j.createdAt
        values[v++] = j.updatedAt
        values[v++] = j.stateRunId ?? 0
        values[v++] = j.outcomeSeq ?? 0
        break
      }
      case 'deleteJob':
        codes[i] = OP_DELETE_JOB
        values[v++] = o.jobId
        break
      case 'putAttempt': {
        const a = o.attempt
        codes[i] = OP_ATTEMPT
        values[v++] = a.runId
        values[v++] = a.attempt
        values[v++] = a.startedAt
        values[v++] = a.endedAt
        values[v++] = a.error
        break
      }
      case 'setState':
        codes[i] = OP_STATE
        values[v++] = o.key
        values[v++] = o.value
        break
      case 'finishedBelow':
        codes[i] = OP_FINISHED_BELOW
        values[v++] = o.runId
        break
      default:
        // Only an op this list lacks gets here, which the types rule out (hence the cast).
        throw new Error(`unknown store op ${/** @type {{ op: string }} */ (o).op}`)
    }
  }
  return { codes: codes.slice(0, ops.length), values: values.slice(0, v) }
}

const RUN_COLUMNS = `id, job_id, status, origin, scheduled_for, created_at, started_at, ended_at, attempt, error, result_json,
  args_json, reason, gate_action, gate_reason, gate_until, missed_count, recovered_from, recovery, outcome_seq`
const RUN_UPSERT = `ON CONFLICT(id) DO UPDATE SET status=excluded.status, started_at=excluded.started_at,
  ended_at=excluded.ended_at, attempt=excluded.attempt, error=excluded.error, result_json=excluded.result_json,
  reason=excluded.reason, gate_action=excluded.gate_action, gate_reason=excluded.gate_reason,
  gate_until=excluded.gate_until, missed_count=excluded.missed_count, recovery=excluded.recovery,
  outcome_seq=COALESCE(excluded.outcome_seq, runs.outcome_seq)`
/** @param {number} n */
const tuple = (n) => `(${Array(n).fill('?').join(',')})`
/** @param {number} rows @param {number} n */
const tuples = (rows, n) => Array(rows).fill(tuple(n)).join(',')
/** @param {number} rows */
const runSql = (rows) => `INSERT INTO runs (${RUN_COLUMNS}) VALUES ${tuples(rows, 20)} ${RUN_UPSERT}`
/** @param {number} rows */
const jobStateSql = (rows) => `WITH v(e, p, pr, nf, lf, ex, lo, u, sr, os, id) AS (VALUES ${tuples(rows, 11)})
  UPDATE jobs SET enabled=v.e, paused=v.p, priority=v.pr, next_fire_at=v.nf, last_fire_at=v.lf, executions=v.ex,
    last_outcome=v.lo, updated_at=v.u, state_run_id=v.sr, outcome_seq=v.os FROM v WHERE jobs.id = v.id`

/**
 * Moves the unfinished-runs mark up to the proposed run id, but never past a run row that is unfinished here: the
 * rows, not the proposal, decide. So a proposal that ran ahead of the rows (an earlier batch failed and is queued
 * again) cannot hide an unfinished run from the next load. It scans only the ids between the mark and the proposal.
 */
const FINISHED_BELOW_SQL = `WITH cur(f, m) AS (
    SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM scheduler_state WHERE key = '${UNFINISHED_FROM_KEY}'), 0), CAST(? AS INTEGER))
  INSERT INTO scheduler_state (key, value)
  SELECT '${UNFINISHED_FROM_KEY}', COALESCE(
      (SELECT id FROM runs WHERE id >= (SELECT f FROM cur) AND id < (SELECT m FROM cur) AND ${UNFINISHED_RUN_SQL}
        ORDER BY id LIMIT 1),
      m)
  FROM cur WHERE m > f
  ON CONFLICT(key) DO UPDATE SET value = excluded.value`

/**
 * Prepares the statements that apply encoded batches on `db` (a better-sqlite3 connection); the returned function
 * applies batches, in order, in one transaction.
 * @param {Database} db
 * @returns {Transaction<(batches: readonly EncodedBatch[]) => void>}
 */
export function prepareBatch(db) {
  const one = {
    [OP_RUN]: db.prepare(runSql(1)),
    [OP_JOB_STATE]: db.prepare(`UPDATE jobs SET enabled=?, paused=?, priority=?, next_fire_at=?, last_fire_at=?,
      executions=?, last_outcome=?, updated_at=?, state_run_id=?, outcome_seq=? WHERE id=?`),
    [OP_JOB]: db.prepare(`INSERT INTO jobs (id, task_type, spec_json, enabled, paused, priority, next_fire_at,
        last_fire_at, executions, last_outcome, created_at, updated_at, state_run_id, outcome_seq)
      VALUES ${tuple(14)}
      ON CONFLICT(id) DO UPDATE SET task_type=excluded.task_type, spec_json=excluded.spec_json,
        enabled=excluded.enabled, paused=excluded.paused, priority=excluded.priority, next_fire_at=excluded.next_fire_at,
        last_fire_at=excluded.last_fire_at, executions=excluded.executions, last_outcome=excluded.last_outcome,
        updated_at=excluded.updated_at, state_run_id=excluded.state_run_id, outcome_seq=excluded.outcome_seq`),
    [OP_DELETE_JOB]: db.prepare('DELETE FROM jobs WHERE id = ?'),
    [OP_ATTEMPT]: db.prepare(`INSERT OR REPLACE INTO run_attempts (run_id, attempt, started_at, ended_at, error)
      VALUES ${tuple(5)}`),
    [OP_STATE]: db.prepare(
      'INSERT INTO scheduler_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value',
    ),
    [OP_FINISHED_BELOW]: db.prepare(FINISHED_BELOW_SQL),
  }
  /** @type {Partial<Record<OpCode, Statement>>} */
  const many = { [OP_RUN]: db.prepare(runSql(ROWS)), [OP_JOB_STATE]: db.prepare(jobStateSql(ROWS)) }
  /** Applies one encoded batch, in order. @type {(flat: EncodedBatch) => void} */
  const apply = ({ codes, values }) => {
    let v = 0
    for (let i = 0; i < codes.length;) {
      // Typed as a known code for the lookups below; a corrupt one fails the WIDTH check first.
      const code = /** @type {OpCode} */ (codes[i])
      const width = WIDTH[code]
      if (width === undefined) throw new Error(`corrupt store batch: op code ${code} at ${i}`)
      // ROWS consecutive rows of a multi-row kind (runs, job states) go through one statement.
      const multi = many[code]
      let rows = 1
      if (multi) while (rows < ROWS && codes[i + rows] === code) rows++
      if (multi && rows === ROWS) {
        multi.run(values.slice(v, v + ROWS * width))
      } else {
        rows = 1
        one[code].run(values.slice(v, v + width))
      }
      i += rows
      v += rows * width
    }
  }
  // Several batches may commit in one transaction (the writer thread's group commit); each is applied in order.
  return db.transaction((/** @type {readonly EncodedBatch[]} */ batches) => {
    for (const flat of batches) apply(flat)
  })
}
