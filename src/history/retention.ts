// Keeps the chart history within the retention settings: rows older than the cutoff are deleted.
import type { Db } from '../store/database.ts'

const TABLES: [table: string, column: string][] = [
  ['history_base_fee', 'at'],
  ['history_balance', 'at'],
  ['history_tx_fee', 'mined_at'],
  ['history_gas_timing', 'delayed_at'],
]

/** Deletes (or, dry, counts) history rows older than `cutoff` (ms epoch); returns how many. */
export function pruneChartHistory(db: Db, cutoff: number, dryRun = false): number {
  let n = 0
  for (const [table, column] of TABLES) {
    n += dryRun
      ? (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} < ?`).get(cutoff) as { n: number }).n
      : db.prepare(`DELETE FROM ${table} WHERE ${column} < ?`).run(cutoff).changes
  }
  return n
}
