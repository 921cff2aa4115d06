// Pins each run's adapter calls in SQLite so retries and crash recovery resend exactly the same list.
import type { Db } from '../store/database.ts'
import type { Call } from '../../protocols/types.ts'

/** A pinned plan: the calls (bigints as strings) and the adapter's pre-send snapshot, if it has one. */
export interface PinnedCalls {
  calls: Call[]
  snapshot: unknown
}

const encode = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? { $big: x.toString() } : x))
const decode = (s: string): unknown =>
  JSON.parse(s, (_k, x) =>
    x && typeof x === 'object' && typeof (x as { $big?: unknown }).$big === 'string'
      ? BigInt((x as { $big: string }).$big)
      : x,
  )

/** Store of pinned calls per run id. */
export interface RunCallsStore {
  get(runId: string): PinnedCalls | undefined
  /** Pins the calls unless the run already has some; returns what is pinned (first writer wins). */
  pin(runId: string, adapter: string, plan: PinnedCalls): PinnedCalls
}

/** Creates the store over the bot's database (migration 0005). */
export function createRunCallsStore(db: Db): RunCallsStore {
  const select = db.prepare('SELECT calls_json, snapshot_json FROM bot_run_calls WHERE run_id = ?')
  const insert =
    db.prepare(`INSERT OR IGNORE INTO bot_run_calls (run_id, adapter, calls_json, snapshot_json, created_at)
    VALUES (?, ?, ?, ?, ?)`)
  const get = (runId: string): PinnedCalls | undefined => {
    const row = select.get(runId) as { calls_json: string; snapshot_json: string | null } | undefined
    if (!row) return undefined
    return {
      calls: decode(row.calls_json) as Call[],
      snapshot: row.snapshot_json === null ? undefined : decode(row.snapshot_json),
    }
  }
  return {
    get,
    pin(runId, adapter, plan) {
      insert.run(
        runId,
        adapter,
        encode(plan.calls),
        plan.snapshot === undefined ? null : encode(plan.snapshot),
        Date.now(),
      )
      return get(runId)!
    },
  }
}
