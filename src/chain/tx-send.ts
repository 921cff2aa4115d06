// One send through the engine: idempotency by (run, call), fees, the spend policy, simulation, dry run or submit.
import { keccak256, type Hex } from 'viem'
import type { IntentOutcome } from './confirm.ts'
import type { EngineLanes, EngineLanesDeps } from './engine-lanes.ts'
import type { IntentRow } from './intent-types.ts'
import { simulateAndEstimate, type TxCall } from './tx-build.ts'
import { effectiveTokenSpends } from './spend-policy.ts'
import type { DryRunResult, SendOptions, SendResult, TxPolicy } from './tx-engine-types.ts'
import { IntentNeedsAttentionError, TxConfigError, TxFailedError } from './tx-errors.ts'
import { estimateCappedFees } from './tx-fees.ts'

/** What a send needs from the engine: what its lanes see, the policy and the lanes themselves. */
export interface SendDeps extends Pick<EngineLanesDeps, 'journal' | 'chainOf' | 'signers' | 'now' | 'onStep'> {
  policy: TxPolicy
  lanes: EngineLanes
}

const DAY_MS = 86_400_000

/**
 * Creates the engine's send: a (run, call) already journaled is resumed (and must be the same transaction);
 * a new one is judged by the policy before and after simulation, then recorded (dry run) or signed and driven.
 */
export function createSend(deps: SendDeps): (call: TxCall, opts: SendOptions) => Promise<SendResult | DryRunResult> {
  const { journal, chainOf, signers, policy, now } = deps
  const { drive, ensureReady, takeLane, laneOf } = deps.lanes
  return async function send(call, opts) {
    const c = chainOf(call.chainId)
    const account = signers.get(opts.wallet.toLowerCase())
    if (!account) {
      throw new TxConfigError(
        'TX_UNKNOWN_SIGNER',
        `no signer loaded for wallet ${opts.wallet}`,
        'configure a key source (env var or keystore) for this wallet',
      )
    }
    const callIndex = opts.callIndex ?? 0
    const data = call.data ?? '0x'
    const value = call.value ?? 0n
    const dataHash = keccak256(data)
    /** A (run, call) already journaled is driven, never signed again, and must be the same transaction. */
    const resume = async (existing: IntentRow): Promise<SendResult> => {
      if (
        existing.chainId !== call.chainId ||
        existing.dataHash !== dataHash ||
        existing.value !== value ||
        existing.to.toLowerCase() !== call.to.toLowerCase() ||
        existing.from !== account.address.toLowerCase()
      ) {
        throw new TxConfigError(
          'TX_INTENT_MISMATCH',
          `run ${opts.runId} call ${callIndex} was already sent with a different transaction`,
          'a run must send the same calls on every attempt; start a new run for a different call',
        )
      }
      await takeLane(existing.chainId, existing.from, opts.signal)
      return finish(await drive(existing, opts.signal), true)
    }
    if (!opts.dryRun) {
      const existing = journal.findNormal(opts.runId, callIndex)
      if (existing) return resume(existing)
      await takeLane(call.chainId, account.address, opts.signal)
      await ensureReady(call.chainId, account.address)
      // Asked again with the lane held: until now a peer holding the lane (in a cluster, an instance that lost this
      // run's lease and still acts) could journal this very call; from now on the lane's fence keeps it from doing so.
      const late = journal.findNormal(opts.runId, callIndex)
      if (late) return resume(late)
    }
    // Concurrent sends share one fee read (single flight): the answer is the same for all of them.
    c.feesInFlight ??= estimateCappedFees(c.rpc, c.cfg.fees).finally(() => {
      c.feesInFlight = undefined
    })
    const fees = await c.feesInFlight
    const tokenSpends = call.tokenSpends ?? []
    const spentToday = journal.spendSince(call.chainId, account.address, Math.floor(now() / DAY_MS) * DAY_MS)
    const target = { chainId: call.chainId, from: account.address, to: call.to, value, data }
    const judge = (gasLimit: bigint) => policy.check({ ...target, gasLimit, fees, tokenSpends, spentToday })
    // Refuse what the policy forbids before simulating it, then again with the real gas limit.
    judge(call.gas ?? 21_000n)
    const gasLimit = await simulateAndEstimate(c.rpc, account.address, call, c.cfg.gasMarginPct ?? 20, opts.signal)
    judge(gasLimit)
    // What the journal counts against the daily token caps: declared spends plus decoded transfers (not approvals).
    const spends = effectiveTokenSpends({ ...target, gasLimit, maxFeePerGas: fees.maxFeePerGas, tokenSpends })
    if (spends.length > 1) {
      throw new TxConfigError(
        'TX_MULTI_TOKEN_SPEND',
        `call to ${call.to} spends ${spends.length} tokens; the journal tracks one per call`,
        'split the call, or extend the journal to several token spends per intent',
      )
    }
    const token = spends[0] ? { token: spends[0].token, amount: spends[0].amount } : undefined
    const validUntil = now() + (opts.deadlineMs ?? c.cfg.validityMs ?? 600_000)
    const request = {
      runId: opts.runId,
      callIndex,
      to: call.to,
      value,
      data,
      dataHash,
      tokenAddress: token?.token ?? null,
      tokenAmount: token?.amount ?? null,
      gasLimit,
      ...fees,
      validUntil,
    }
    if (opts.dryRun) {
      const [row] = journal.recordBatch([
        {
          ...request,
          chainId: call.chainId,
          from: account.address,
          nonce: null,
          kind: 'normal',
          dryRun: true,
          rawTx: null,
          hash: null,
        },
      ])
      return { intentId: row!.id, dryRun: true, would: { ...target, gasLimit, ...fees } }
    }
    const row = await laneOf(call.chainId, account).submit(request)
    deps.onStep?.('awaiting_receipt', { runId: row.runId, nonce: row.nonce ?? -1 })
    return finish(await drive(row, opts.signal, true), false)
  }
}

/** A driven intent as the send's result: confirmed returns, failed and needs-attention throw. */
function finish(outcome: IntentOutcome, resumed: boolean): SendResult {
  if (outcome.status === 'confirmed') {
    return {
      intentId: outcome.row.rootId,
      hash: outcome.row.hash as Hex,
      receipt: outcome.receipt,
      nonce: outcome.row.nonce as number,
      resumed,
    }
  }
  if (outcome.status === 'failed') {
    throw new TxFailedError(outcome.code, `transaction ${outcome.reason}`, {
      intentId: outcome.row.rootId,
      hash: outcome.row.hash,
      nonce: outcome.row.nonce,
    })
  }
  throw new IntentNeedsAttentionError(outcome.reason, {})
}
