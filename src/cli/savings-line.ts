// One `bot status` line for the gas-timing savings of a window, in ETH units.
import { formatEther } from 'viem'
import type { SavingsWindow } from '../history/index.ts'

/** "savings:   last day: 0.0012 ETH saved on 3 delayed txs (paid 0.002 ETH; at the due-time base fee 0.0032 ETH)". */
export function savingsLine(label: string, w: SavingsWindow): string {
  const eth = (wei: string) => `${formatEther(BigInt(wei))} ETH`
  if (w.delayedTxs === 0) return `savings:   ${label}: no gas-delayed transactions (all fees ${eth(w.allFeesWei)})`
  return (
    `savings:   ${label}: ${eth(w.savedWei)} saved on ${w.delayedTxs} gas-delayed tx${w.delayedTxs === 1 ? '' : 's'} ` +
    `(paid ${eth(w.paidWei)}; at the due-time base fee ${eth(w.atDueWei)}; all fees ${eth(w.allFeesWei)})`
  )
}
