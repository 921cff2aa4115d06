// One serial nonce lane per (chain, wallet): funds check, nonce, sign, journal (group commit), broadcast, in order.
import { keccak256, type Address, type Hex, type LocalAccount } from 'viem'
import type { Logger } from '../logging/logger.ts'
import { ChainIdMismatchError, InsufficientFundsError } from './errors.ts'
import type { IntentJournal, IntentRow, NewIntent } from './intent-types.ts'
import type { BroadcastOutcome, RpcSteps } from './rpc-steps.ts'

/** Named points of the send path; a crash test kills the process at each of them. */
export type SendStep = 'signed' | 'journaled' | 'broadcast' | 'awaiting_receipt'

/** Test-only hook called at each step of the send path (the crash harness SIGKILLs itself there). */
export type StepHook = (step: SendStep, info: { runId: string; nonce: number }) => void

/** A fully built, simulated, capped transaction waiting for a nonce. */
export interface LaneRequest {
  runId: string
  callIndex: number
  to: Address
  value: bigint
  data: Hex
  dataHash: Hex
  tokenAddress: Address | null
  tokenAmount: bigint | null
  gasLimit: bigint
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  validUntil: number
}

/** What the lane needs. */
export interface NonceLaneDeps {
  chainId: number
  account: LocalAccount
  rpc: RpcSteps
  journal: IntentJournal
  logger: Logger
  /** Applies a broadcast outcome to the journal (shared with the confirm loop). */
  applyBroadcast: (row: IntentRow, outcome: BroadcastOutcome) => void
  /** Most requests signed and journaled in one go (one fsync). */
  maxBatch?: number
  onStep?: StepHook
}

/** A serial lane; `submit` resolves once the transaction is journaled and its first broadcast settled. */
export interface NonceLane {
  readonly address: Address
  submit(request: LaneRequest): Promise<IntentRow>
  /** Nonce the lane expects to use next (undefined before the first batch). */
  expectedNonce(): number | undefined
}

interface Pending {
  request: LaneRequest
  resolve: (row: IntentRow) => void
  reject: (err: unknown) => void
}

/**
 * Creates a lane. Each batch re-reads chain id, pending nonce and balance (so a chain reset, a nonce the bot
 * did not use, or a refund is seen at once), then takes nonces max(pending, highest open journal nonce + 1).
 * Funds are checked before a nonce is taken: a request that cannot pay fails with no nonce used.
 */
export function createNonceLane(deps: NonceLaneDeps): NonceLane {
  const { chainId, account, rpc, journal, logger } = deps
  const maxBatch = deps.maxBatch ?? 256
  const address = account.address
  const queue: Pending[] = []
  let running = false
  let expected: number | undefined
  const inFlight = new Set<Promise<unknown>>()

  const runBatch = async (batch: Pending[]): Promise<void> => {
    // The journal is read before the chain: an intent that is open now and mined while the reads are on the wire
    // is then counted once by both, never by neither (a pending nonce read before it was mined, answered after
    // it was closed, would hand its nonce out again). Funds it holds are counted twice meanwhile: fails closed.
    const openNonceFloor = journal.maxOpenNonce(chainId, address) + 1
    const reserved = journal.reservedFunds(chainId, address)
    const [actualChainId, pendingNonce, balance] = await Promise.all([
      rpc.chainIdOf(),
      rpc.nonce(address, 'pending'),
      rpc.balance(address),
    ])
    if (actualChainId !== chainId) throw new ChainIdMismatchError(chainId, actualChainId)
    if (expected !== undefined && pendingNonce > expected) {
      // The chain shows nonces this lane did not sign: adopt them; affected open intents go to needs_attention.
      logger.warn(
        { chainId, from: address, expected, pendingNonce },
        'chain shows a nonce the bot did not use; re-synced',
      )
    }
    let next = Math.max(pendingNonce, openNonceFloor)
    let available = balance - reserved
    const accepted: { p: Pending; intent: NewIntent }[] = []
    for (const p of batch) {
      const r = p.request
      const cost = r.value + r.gasLimit * r.maxFeePerGas
      if (cost > available) {
        p.reject(
          new InsufficientFundsError(
            `wallet ${address} on chain ${chainId} has ${available > 0n ? available : 0n} wei free, needs ${cost}`,
            {
              chainId,
              hint: 'fund the wallet or lower the amount; nothing was signed and no nonce was used',
              details: { from: address, needed: cost.toString(), available: available.toString() },
            },
          ),
        )
        continue
      }
      available -= cost
      const nonce = next++
      try {
        const rawTx = await account.signTransaction({
          chainId,
          type: 'eip1559',
          nonce,
          to: r.to,
          value: r.value,
          data: r.data,
          gas: r.gasLimit,
          maxFeePerGas: r.maxFeePerGas,
          maxPriorityFeePerGas: r.maxPriorityFeePerGas,
        })
        deps.onStep?.('signed', { runId: r.runId, nonce })
        accepted.push({
          p,
          intent: {
            runId: r.runId,
            callIndex: r.callIndex,
            chainId,
            from: address,
            nonce,
            to: r.to,
            value: r.value,
            data: r.data,
            dataHash: r.dataHash,
            tokenAddress: r.tokenAddress,
            tokenAmount: r.tokenAmount,
            kind: 'normal',
            rawTx,
            hash: keccak256(rawTx),
            gasLimit: r.gasLimit,
            maxFeePerGas: r.maxFeePerGas,
            maxPriorityFeePerGas: r.maxPriorityFeePerGas,
            validUntil: r.validUntil,
          },
        })
      } catch (err) {
        next--
        available += cost
        p.reject(err)
      }
    }
    if (accepted.length === 0) return
    let rows: IntentRow[]
    try {
      rows = await journal.record(accepted.map((a) => a.intent))
    } catch (err) {
      // Nothing durable, nothing broadcast: the nonces stay free.
      for (const a of accepted) a.p.reject(err)
      return
    }
    expected = next
    for (const row of rows) deps.onStep?.('journaled', { runId: row.runId, nonce: row.nonce ?? -1 })
    // Broadcast in nonce order without waiting for each answer (the node queues a nonce that arrives early),
    // and without holding the lane: the next batch is signed and journaled while this one is on the wire.
    // The answers are recorded together, in one transaction: one commit per batch instead of one per transaction.
    const sent = Promise.all(rows.map((row) => rpc.broadcast(row.rawTx as Hex))).then((outcomes) => {
      journal.batch(() => rows.forEach((row, i) => deps.applyBroadcast(row, outcomes[i]!)))
      rows.forEach((row, i) => {
        deps.onStep?.('broadcast', { runId: row.runId, nonce: row.nonce ?? -1 })
        accepted[i]!.p.resolve(journal.get(row.id) ?? row)
      })
    })
    inFlight.add(sent)
    void sent.finally(() => inFlight.delete(sent))
  }

  const pump = async (): Promise<void> => {
    if (running) return
    running = true
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch)
        try {
          await runBatch(batch)
        } catch (err) {
          // A failed read (chain id, nonce, balance) fails the batch before any nonce was taken.
          for (const p of batch) p.reject(err)
        }
      }
    } finally {
      running = false
    }
  }

  return {
    address,
    submit(request) {
      return new Promise<IntentRow>((resolve, reject) => {
        queue.push({ request, resolve, reject })
        void pump()
      })
    },
    expectedNonce: () => expected,
  }
}
