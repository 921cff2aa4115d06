// Transactions of the intent journal as people read them: decoded call, amounts with symbols, fee, explorer link.
import type { Db } from '../store/database.ts'
import { describeCall, feeOf, txLink, type CallView, type Fee, type ReportBook } from './report-format.ts'

/** One transaction (an original intent with its replacements), shown by its mined or latest attempt. */
export interface TxView {
  runId: string
  jobId: string | null
  chainId: number
  hash: string | null
  /** Block-explorer link on a real chain; absent on devnets. */
  explorerUrl?: string
  wallet: string
  nonce: number | null
  /** The journal status of the shown attempt; `cancelled` when a cancel (not the call) was mined. */
  status: string
  /** Fee bumps and cancels sent for it. */
  replacements: number
  sentAt: number | null
  createdAt: number
  call: CallView
  /** What it paid once mined (else the most it can cost); null when never signed. */
  fee: Fee | null
  /** Exact fee paid in wei (mined only), as the history table has it. */
  feeWei: string | null
}

interface IntentRow {
  id: number
  run_id: string
  chain_id: number
  from_addr: string
  nonce: number | null
  to_addr: string
  value: string
  data: string
  created_at: number
}
interface AttemptRow {
  kind: string
  status: string
  tx_hash: string | null
  broadcast_at: number | null
  gas_limit: string | null
  max_fee_per_gas: string | null
  gas_used: string | null
  effective_gas_price: string | null
  fee_wei: string | null
}

const COLUMNS = 'id, run_id, chain_id, from_addr, nonce, to_addr, value, data, created_at'
const hasTable = (db: Db, name: string) =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined

/**
 * The journal keys a run's sends carry: its own id, and for a crash replacement the first run of its chain too
 * (replacements send under that id, so what the replaced run sent is found, not repeated).
 */
export function sendKeysOf(run: { id: number | string; recoveredFrom?: number | null }): string[] {
  const own = String(run.id)
  return run.recoveredFrom == null ? [own] : [String(run.recoveredFrom), own]
}

/** The transactions of the given runs, oldest first; empty for runs that sent nothing. */
export function txViewsOfRuns(db: Db, rb: ReportBook, runIds: readonly string[]): TxView[] {
  if (runIds.length === 0 || !hasTable(db, 'tx_intents')) return []
  const q = db.prepare(
    `SELECT ${COLUMNS} FROM tx_intents WHERE kind = 'normal' AND dry_run = 0 AND run_id = ? ORDER BY id`,
  )
  return toViews(
    db,
    rb,
    runIds.flatMap((id) => q.all(id) as IntentRow[]),
  )
}

/** The newest transactions created since `since` (at most `limit`), newest first. */
export function recentTxViews(db: Db, rb: ReportBook, since: number, limit: number): TxView[] {
  if (!hasTable(db, 'tx_intents')) return []
  const rows = db
    .prepare(
      `SELECT ${COLUMNS} FROM tx_intents WHERE kind = 'normal' AND dry_run = 0 AND created_at >= ? ORDER BY id DESC LIMIT ?`,
    )
    .all(since, limit) as IntentRow[]
  return toViews(db, rb, rows)
}

function toViews(db: Db, rb: ReportBook, roots: IntentRow[]): TxView[] {
  if (roots.length === 0) return []
  const fees = hasTable(db, 'history_tx_fee')
  const attempts = db.prepare(
    `SELECT i.kind, i.status, i.tx_hash, i.broadcast_at, i.gas_limit, i.max_fee_per_gas, ${
      fees
        ? 'f.gas_used, f.effective_gas_price, f.fee_wei'
        : 'NULL AS gas_used, NULL AS effective_gas_price, NULL AS fee_wei'
    } FROM tx_intents i ${fees ? 'LEFT JOIN history_tx_fee f ON f.intent_id = i.id' : ''}
    WHERE i.root_id = ? OR i.id = ? ORDER BY i.id`,
  )
  const jobQuery = hasTable(db, 'runs') ? db.prepare('SELECT job_id FROM runs WHERE id = ?') : undefined
  const jobOf = (runId: string) =>
    jobQuery && /^\d+$/.test(runId)
      ? ((jobQuery.get(Number(runId)) as { job_id: string } | undefined)?.job_id ?? null)
      : null
  return roots.map((r) => {
    const all = attempts.all(r.id, r.id) as AttemptRow[]
    const shown = all.find((a) => a.status === 'mined' || a.status === 'confirmed') ?? all[all.length - 1]!
    const explorerUrl = txLink(r.chain_id, shown.tx_hash)
    return {
      runId: r.run_id,
      jobId: jobOf(r.run_id),
      chainId: r.chain_id,
      hash: shown.tx_hash,
      ...(explorerUrl ? { explorerUrl } : {}),
      wallet: r.from_addr,
      nonce: r.nonce,
      // A mined cancel means the call itself never ran: say so rather than show the call as mined.
      status:
        shown.kind === 'cancel' && (shown.status === 'mined' || shown.status === 'confirmed')
          ? 'cancelled'
          : shown.status,
      replacements: all.length - 1,
      sentAt: all[0]!.broadcast_at,
      createdAt: r.created_at,
      call: describeCall(rb, { chainId: r.chain_id, to: r.to_addr, data: r.data, value: BigInt(r.value) }),
      fee: feeOfAttempt(rb, r.chain_id, shown),
      feeWei: shown.fee_wei,
    }
  })
}

function feeOfAttempt(rb: ReportBook, chainId: number, a: AttemptRow): Fee | null {
  if (a.gas_used && a.effective_gas_price)
    return feeOf(rb, chainId, { gasUsed: BigInt(a.gas_used), gasPrice: BigInt(a.effective_gas_price) })
  if (a.gas_limit && a.max_fee_per_gas && a.tx_hash)
    return feeOf(rb, chainId, { gasUsed: BigInt(a.gas_limit), gasPrice: BigInt(a.max_fee_per_gas), atMost: true })
  return null
}
