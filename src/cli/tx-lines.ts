// Prints formatted transactions (from src/bot/tx-report.ts) as indented lines under a run or a job.
import type { TxView } from '../bot/tx-report.ts'
import type { Output } from './output.ts'

/**
 * Two lines per transaction: the decoded call with its amounts, then status, fee (native coin and gwei), wallet and
 * hash with its block-explorer link on real chains.
 */
export function printTxs(out: Output, txs: readonly TxView[], indent = '  '): void {
  for (const t of txs) {
    out.line(`${indent}${out.paint.cyan(t.call.summary)} on chain ${t.chainId}`)
    const parts = [
      t.status,
      t.fee ? `fee ${t.fee.formatted}` : 'no fee yet',
      `from ${t.wallet}`,
      t.nonce === null ? undefined : `nonce ${t.nonce}`,
      t.replacements ? `${t.replacements} replacement(s)` : undefined,
    ].filter(Boolean)
    out.line(`${indent}  ${parts.join('; ')}`)
    if (t.hash) out.line(`${indent}  tx ${t.explorerUrl ?? t.hash}`)
  }
}
