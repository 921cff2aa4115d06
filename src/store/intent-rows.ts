// Shared by both intent journals (SQLite and PostgreSQL): decoding a stored row and group commit of new attempts.
import type { Address, Hex } from 'viem'
import type { IntentKind, IntentRow, IntentStatus, NewIntent } from '../chain/intent-types.ts'

/**
 * Group commit: attempts queued in one event-loop turn (several lanes' batches) are recorded by one call of
 * `recordBatch` (one durable commit), and each caller gets its own rows back.
 */
export function groupCommit(
  recordBatch: (intents: NewIntent[]) => IntentRow[],
): (intents: NewIntent[]) => Promise<IntentRow[]> {
  let pending: { intents: NewIntent[]; resolve: (r: IntentRow[]) => void; reject: (e: unknown) => void }[] = []
  const flush = () => {
    const batch = pending
    pending = []
    try {
      const rows = recordBatch(batch.flatMap((b) => b.intents))
      let i = 0
      for (const b of batch) {
        b.resolve(rows.slice(i, i + b.intents.length))
        i += b.intents.length
      }
    } catch (err) {
      for (const b of batch) b.reject(err)
    }
  }
  return (intents) =>
    new Promise((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush)
      pending.push({ intents, resolve, reject })
    })
}

/** A stored row, or undefined when there is none. */
export function decodeOpt(raw: unknown): IntentRow | undefined {
  return raw === undefined ? undefined : decode(raw)
}

const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as string))

/** A stored row (SQLite or PostgreSQL: flags as 0/1 or boolean, amounts as decimal strings) as an IntentRow. */
export function decode(raw: unknown): IntentRow {
  const r = raw as Record<string, unknown>
  return {
    id: r.id as number,
    rootId: r.root_id as number,
    runId: r.run_id as string,
    callIndex: r.call_index as number,
    chainId: r.chain_id as number,
    from: r.from_addr as Address,
    nonce: r.nonce as number | null,
    to: r.to_addr as Address,
    value: BigInt(r.value as string),
    data: r.data as Hex,
    dataHash: r.data_hash as Hex,
    tokenAddress: (r.token_addr as Address | null) ?? null,
    tokenAmount: big(r.token_amount),
    kind: r.kind as IntentKind,
    status: r.status as IntentStatus,
    dryRun: r.dry_run === 1 || r.dry_run === true,
    rawTx: (r.raw_tx as Hex | null) ?? null,
    hash: (r.tx_hash as Hex | null) ?? null,
    gasLimit: big(r.gas_limit),
    maxFeePerGas: big(r.max_fee_per_gas),
    maxPriorityFeePerGas: big(r.max_priority_fee_per_gas),
    blockHash: (r.block_hash as Hex | null) ?? null,
    blockNumber: r.block_number as number | null,
    error: (r.error as string | null) ?? null,
    validUntil: r.valid_until as number | null,
    broadcastCount: r.broadcast_count as number,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    broadcastAt: r.broadcast_at as number | null,
    minedAt: r.mined_at as number | null,
  }
}
