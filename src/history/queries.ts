// Read side of the chart history: bounded, downsampled series from the state database (the API's worker thread
// calls these on its read-only connection, so charts never cost the scheduler's thread).
import type { Db } from '../store/database.ts'

/** A window and a point budget: series have at most `points` buckets per line. */
export interface Window {
  since: number
  until: number
  points: number
}

/** One base-fee line point (bucket start, average and peak in wei within the bucket). */
export interface BaseFeePoint {
  at: number
  avg: number
  max: number
}

const bucketOf = (w: Window) => Math.max(1, Math.ceil((w.until - w.since + 1) / Math.max(1, w.points)))

const group = <T extends { chain_id: number }, V>(rows: T[], map: (r: T) => V): Record<string, V[]> => {
  const out: Record<string, V[]> = {}
  for (const r of rows) (out[String(r.chain_id)] ??= []).push(map(r))
  return out
}

/** Base fee per chain, bucketed so each chain has at most `points` points. */
export function baseFeeSeries(db: Db, w: Window): Record<string, BaseFeePoint[]> {
  const b = bucketOf(w)
  const rows = db
    .prepare(
      `SELECT chain_id, MIN(at) AS at, AVG(base_fee) AS avg, MAX(base_fee) AS max FROM history_base_fee
    WHERE at >= ? AND at <= ? GROUP BY chain_id, CAST((at - ?) / ? AS INTEGER) ORDER BY chain_id, at`,
    )
    .all(w.since, w.until, w.since, b) as { chain_id: number; at: number; avg: number; max: number }[]
  return group(rows, (r) => ({ at: r.at, avg: Math.round(r.avg), max: r.max }))
}

/** When transactions were sent (broadcast) per chain, with the job and the base fee of the block that mined them. */
export function sendMarks(db: Db, w: Window): Record<string, { at: number; jobId: string | null; baseFee: number }[]> {
  const rows = db
    .prepare(
      `SELECT f.chain_id, COALESCE(i.broadcast_at, f.mined_at) AS at, f.block_base_fee, f.run_id FROM history_tx_fee f
    JOIN tx_intents i ON i.id = f.intent_id WHERE f.mined_at >= ? AND f.mined_at <= ? ORDER BY f.mined_at DESC LIMIT ?`,
    )
    .all(w.since, w.until, w.points) as { chain_id: number; at: number; block_base_fee: string; run_id: string }[]
  const jobOf = jobLookup(db)
  return group(rows.reverse(), (r) => ({ at: r.at, jobId: jobOf(r.run_id), baseFee: Number(r.block_base_fee) }))
}

/** Maps a run id to its job when the run history lives in this file (SQLite store), else null. */
function jobLookup(db: Db): (runId: string) => string | null {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get()
  if (!has) return () => null
  const q = db.prepare('SELECT job_id FROM runs WHERE id = ?')
  return (runId) =>
    /^\d+$/.test(runId) ? ((q.get(Number(runId)) as { job_id: string } | undefined)?.job_id ?? null) : null
}

/** Gas the circuit breaker counted per UTC day and chain (wei as decimal strings), oldest first. */
export function gasPerDay(db: Db, w: Window): { day: string; chainId: number; wei: string }[] {
  const from = new Date(w.since).toISOString().slice(0, 10)
  const rows = db
    .prepare('SELECT day, chain_id, wei FROM risk_gas_spend WHERE day >= ? ORDER BY day DESC, chain_id LIMIT ?')
    .all(from, w.points) as { day: string; chain_id: number; wei: string }[]
  return rows.reverse().map((r) => ({ day: r.day, chainId: r.chain_id, wei: r.wei }))
}

/** Wallet balances per chain, wallet and asset (in the asset's units), bucketed to at most `points` per line. */
export function balanceSeries(
  db: Db,
  w: Window,
): { chainId: number; wallet: string; asset: string; points: { at: number; units: number }[] }[] {
  const b = bucketOf(w)
  // The last sample in each bucket: a balance is a level, not a rate, so averaging would invent values.
  const rows = db
    .prepare(
      `SELECT chain_id, wallet, asset, MAX(at) AS at, units FROM history_balance WHERE at >= ? AND at <= ?
    GROUP BY chain_id, wallet, asset, CAST((at - ?) / ? AS INTEGER) ORDER BY chain_id, wallet, asset, at`,
    )
    .all(w.since, w.until, w.since, b) as {
    chain_id: number
    wallet: string
    asset: string
    at: number
    units: number
  }[]
  const lines = new Map<
    string,
    { chainId: number; wallet: string; asset: string; points: { at: number; units: number }[] }
  >()
  for (const r of rows) {
    const k = `${r.chain_id}|${r.wallet}|${r.asset}`
    let line = lines.get(k)
    if (!line) lines.set(k, (line = { chainId: r.chain_id, wallet: r.wallet, asset: r.asset, points: [] }))
    line.points.push({ at: r.at, units: r.units })
  }
  return [...lines.values()]
}

/** Runs per hour by status (hour start in ms), oldest first; empty when the run history is not in this file. */
export function runsPerHour(db: Db, w: Window): { hour: number; status: string; count: number }[] {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get()) return []
  const rows = db
    .prepare(
      `SELECT (COALESCE(ended_at, created_at) / 3600000) * 3600000 AS hour, status, COUNT(*) AS count FROM runs
    WHERE COALESCE(ended_at, created_at) >= ? AND COALESCE(ended_at, created_at) <= ? GROUP BY hour, status ORDER BY hour DESC, status`,
    )
    .all(w.since, w.until) as { hour: number; status: string; count: number }[]
  const hours = [...new Set(rows.map((r) => r.hour))].slice(0, w.points)
  const keep = new Set(hours)
  return rows.filter((r) => keep.has(r.hour)).reverse()
}

/** One transaction (a journal root with its replacements) for the dashboard's table. */
export interface TxRow {
  chainId: number
  hash: string | null
  wallet: string
  nonce: number | null
  status: string
  replacements: number
  feeWei: string | null
  jobId: string | null
  sentAt: number | null
  createdAt: number
}

/** The newest transactions sent since `since` (at most `limit`), each shown by its mined or latest attempt. */
export function transactions(db: Db, since: number, limit: number): TxRow[] {
  const roots = db
    .prepare(
      `SELECT id, chain_id, from_addr, nonce, run_id, created_at FROM tx_intents
    WHERE kind = 'normal' AND dry_run = 0 AND created_at >= ? ORDER BY id DESC LIMIT ?`,
    )
    .all(since, limit) as {
    id: number
    chain_id: number
    from_addr: string
    nonce: number | null
    run_id: string
    created_at: number
  }[]
  const attempts = db.prepare(`SELECT i.id, i.status, i.tx_hash, i.broadcast_at, f.fee_wei FROM tx_intents i
    LEFT JOIN history_tx_fee f ON f.intent_id = i.id WHERE i.root_id = ? OR i.id = ? ORDER BY i.id`)
  const jobOf = jobLookup(db)
  return roots.map((r) => {
    const all = attempts.all(r.id, r.id) as {
      id: number
      status: string
      tx_hash: string | null
      broadcast_at: number | null
      fee_wei: string | null
    }[]
    const shown = all.find((a) => a.status === 'mined' || a.status === 'confirmed') ?? all[all.length - 1]!
    return {
      chainId: r.chain_id,
      hash: shown.tx_hash,
      wallet: r.from_addr,
      nonce: r.nonce,
      status: shown.status,
      replacements: all.length - 1,
      feeWei: shown.fee_wei,
      jobId: jobOf(r.run_id),
      sentAt: all[0]!.broadcast_at,
      createdAt: r.created_at,
    }
  })
}
