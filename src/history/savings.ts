// What gas timing saved: for runs the gas policy delayed, the fees they paid against what the same gas would have
// cost at the base fee of the block they fell due in (the tip they paid counted in both).
import type { Db } from '../store/database.ts'

/** Savings over one window; wei as decimal strings (exact), ETH-unit numbers for display. */
export interface SavingsWindow {
  /** Mined transactions of delayed runs in the window. */
  delayedTxs: number
  paidWei: string
  atDueWei: string
  savedWei: string
  /** Fees of every mined transaction in the window, delayed or not, for scale. */
  allFeesWei: string
}

/** The last day and the last week, ending at `now`. */
export interface SavingsReport {
  day: SavingsWindow
  week: SavingsWindow
}

const DAY_MS = 86_400_000

/** Computes the savings of one window from the recorded fees and due-time base fees. */
export function savingsSince(db: Db, since: number): SavingsWindow {
  const rows = db
    .prepare(
      `SELECT f.gas_used, f.effective_gas_price, f.block_base_fee, f.fee_wei, t.due_base_fee FROM history_tx_fee f
    LEFT JOIN history_gas_timing t ON t.run_id = f.run_id AND t.chain_id = f.chain_id WHERE f.mined_at >= ?`,
    )
    .all(since) as {
    gas_used: string
    effective_gas_price: string
    block_base_fee: string
    fee_wei: string
    due_base_fee: string | null
  }[]
  let paid = 0n,
    atDue = 0n,
    all = 0n,
    n = 0
  for (const r of rows) {
    const fee = BigInt(r.fee_wei)
    all += fee
    if (r.due_base_fee === null) continue
    const tip = BigInt(r.effective_gas_price) - BigInt(r.block_base_fee)
    paid += fee
    atDue += BigInt(r.gas_used) * (BigInt(r.due_base_fee) + (tip > 0n ? tip : 0n))
    n++
  }
  return {
    delayedTxs: n,
    paidWei: paid.toString(),
    atDueWei: atDue.toString(),
    savedWei: (atDue - paid).toString(),
    allFeesWei: all.toString(),
  }
}

/** Savings of the last day and week; null when the database predates the history tables. */
export function savingsReport(db: Db, now = Date.now()): SavingsReport | null {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history_tx_fee'").get()) return null
  return { day: savingsSince(db, now - DAY_MS), week: savingsSince(db, now - 7 * DAY_MS) }
}
