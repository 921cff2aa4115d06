// First start after `bot restore`: if any wallet's chain nonce is ahead of the restored journal, transactions were
// sent after the backup was taken that this state does not know, so jobs could repeat them: halt until reviewed.
import type { LocalAccount, PublicClient } from 'viem'
import type { Logger } from '../logging/logger.ts'
import type { CircuitBreaker } from '../risk/circuit-breaker.ts'
import type { Db } from '../store/database.ts'

/** What the check reads and may halt. */
export interface RestoreCheckDeps {
  db: Db
  breaker: Pick<CircuitBreaker, 'halt'>
  clients: Record<number, PublicClient>
  wallets: Iterable<Pick<LocalAccount, 'address'>>
  logger: Logger
}

/** One wallet whose chain is ahead of the journal. */
export interface UnknownSends {
  chainId: number
  address: string
  journalNext: number
  chainNonce: number
}

/** Runs the check when a restore marker exists (then clears it); returns the wallets found ahead. */
export async function checkAfterRestore(deps: RestoreCheckDeps): Promise<UnknownSends[] | null> {
  const markers = deps.db.prepare('SELECT restored_at, backup_path FROM restore_marker').all() as {
    restored_at: number
    backup_path: string
  }[]
  if (markers.length === 0) return null
  const maxNonce = deps.db.prepare(
    'SELECT MAX(nonce) AS n FROM tx_intents WHERE chain_id = ? AND from_addr = ? AND dry_run = 0 AND nonce IS NOT NULL',
  )
  const ahead: UnknownSends[] = []
  for (const [id, client] of Object.entries(deps.clients)) {
    for (const w of deps.wallets) {
      const address = w.address.toLowerCase()
      const row = maxNonce.get(Number(id), address) as { n: number | null }
      const journalNext = row.n === null ? 0 : row.n + 1
      const chainNonce = await client.getTransactionCount({ address: w.address, blockTag: 'pending' })
      if (chainNonce > journalNext) ahead.push({ chainId: Number(id), address, journalNext, chainNonce })
    }
  }
  const from = markers[markers.length - 1]!.backup_path
  if (ahead.length > 0) {
    const list = ahead
      .map((a) => `${a.address} on ${a.chainId}: chain nonce ${a.chainNonce}, journal knows up to ${a.journalNext}`)
      .join('; ')
    deps.breaker.halt(
      `state restored from ${from}: transactions newer than the backup exist (${list}); review them, then reset the breaker`,
    )
    deps.logger.warn({ ahead }, 'restored state is behind the chain: sending halted until an admin resets the breaker')
  } else {
    deps.logger.info({ from }, "restored state matches every wallet's chain nonce")
  }
  deps.db.prepare('DELETE FROM restore_marker').run()
  return ahead
}
