// The transaction engine: the one path by which the bot signs and sends, exactly once per (run, call).
import { keccak256, type Address, type Hex, type LocalAccount, type PublicClient } from 'viem'
import type { Logger } from '../logging/logger.ts'
import type { Db } from '../store/database.ts'
import type { ReconcileOutcome } from '../scheduler/index.ts'
import {
  driveIntent,
  applyBroadcast,
  type ConfirmContext,
  type ConfirmSettings,
  type IntentOutcome,
} from './confirm.ts'
import { createIntentJournal } from '../store/sqlite-intent-journal.ts'
import type { IntentJournal, IntentRow, LaneOwnership, SpendTotals } from './intent-types.ts'
import { createNonceLane, type NonceLane, type StepHook } from './nonce-lane.ts'
import { reconcileRunOutcome } from './reconcile.ts'
import { createBlockWatcher, type BlockWatcher } from './block-watcher.ts'
import { createRpcSteps, type MinimalReceipt, type RpcSteps } from './rpc-steps.ts'
import { simulateAndEstimate, type TxCall } from './tx-build.ts'
import { effectiveTokenSpends, type TokenSpend } from './spend-policy.ts'
import { IntentNeedsAttentionError, IntentPendingError, TxConfigError, TxFailedError } from './tx-errors.ts'
import { estimateCappedFees, type FeeLimits, type TxFees } from './tx-fees.ts'

/** One chain as the engine sees it. */
export interface EngineChainConfig extends Partial<Omit<ConfirmSettings, 'fees'>> {
  chainId: number
  client: PublicClient
  fees: FeeLimits
  /** Default validity of an intent (ms after it is built); past it an unmined tx is cancelled. */
  validityMs?: number
  /** Gas margin over the estimate for calls with data, in percent (default 20). */
  gasMarginPct?: number
  /** Most transactions one lane signs and journals per fsync (default 256). */
  maxBatch?: number
}

/** Everything a spend policy needs to judge one call (fees already capped by the engine). */
export interface PolicyInput {
  chainId: number
  from: Address
  to: Address
  value: bigint
  data: Hex
  gasLimit: bigint
  fees: TxFees
  /** ERC-20 spends declared by the adapter for this call. */
  tokenSpends: readonly TokenSpend[]
  /** Totals committed by this wallet today (UTC), from the journal, this call excluded. */
  spentToday: SpendTotals
}

/** Caps, allowlists and approval rules; throws a non-retryable error to refuse. */
export interface TxPolicy {
  check(input: PolicyInput): void
}

/** Options of `createTxEngine`. */
export interface TxEngineOptions {
  db: Db
  /** The journal to use (default: the SQLite one in `db`); a cluster passes its shared one. */
  journal?: IntentJournal
  /** Lane leases of a cluster; without it this process owns every lane. */
  lanes?: LaneOwnership
  chains: EngineChainConfig[]
  /** Signers by address; the engine never stores or logs them. */
  signers: LocalAccount[]
  /** Required: production passes `createSpendPolicyGuard(...)`; there is no implicit "allow everything". */
  policy: TxPolicy
  logger: Logger
  now?: () => number
  /** Test hook at each step of the send path (crash tests). */
  onStep?: StepHook
}

/** Per-send options. */
export interface SendOptions {
  runId: string
  wallet: Address
  /** Index of this call within the run (default 0): (runId, callIndex) is sent at most once, ever. */
  callIndex?: number
  dryRun?: boolean
  /** Validity in ms from now; past it an unmined transaction is cancelled at its nonce. */
  deadlineMs?: number
  signal?: AbortSignal
}

/** A confirmed send. */
export interface SendResult {
  intentId: number
  hash: Hex
  receipt: MinimalReceipt
  nonce: number
  /** True when this call found the intent already in the journal (a retry or re-run). */
  resumed: boolean
}

/** A dry run: what would have been sent. */
export interface DryRunResult {
  intentId: number
  dryRun: true
  would: { chainId: number; from: Address; to: Address; value: bigint; data: Hex; gasLimit: bigint } & TxFees
}

/** The engine API. */
export interface TxEngine {
  readonly journal: IntentJournal
  send(call: TxCall, options: SendOptions & { dryRun: true }): Promise<DryRunResult>
  send(call: TxCall, options: SendOptions): Promise<SendResult>
  /** Drives every open intent to its end; run it on start, before any new send. */
  reconcileOpenIntents(signal?: AbortSignal): Promise<IntentOutcome[]>
  /**
   * The fate of an interrupted run, from the journal and the chain: open intents are driven to their end first.
   * `expectedCalls` (when the caller knows how many calls the run makes) turns "some calls never sent" into rerun.
   */
  reconcileRun(runId: string, options?: { expectedCalls?: number; signal?: AbortSignal }): Promise<ReconcileOutcome>
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

const DAY_MS = 86_400_000

/** Creates the engine over one database; lanes are created per (chain, wallet) on first use. */
export function createTxEngine(options: TxEngineOptions): TxEngine {
  const { db, logger, policy } = options
  const now = options.now ?? Date.now
  const journal = options.journal ?? createIntentJournal(db, { now })
  const chains = new Map<
    number,
    {
      cfg: EngineChainConfig
      rpc: RpcSteps
      settings: ConfirmSettings
      watcher: BlockWatcher
      feesInFlight?: Promise<TxFees>
    }
  >()
  for (const cfg of options.chains) {
    const rpc = createRpcSteps(cfg.chainId, cfg.client)
    chains.set(cfg.chainId, {
      cfg,
      rpc,
      watcher: createBlockWatcher(rpc, { pollMs: cfg.pollMs ?? 250 }),
      settings: {
        confirmations: cfg.confirmations ?? 1,
        pollMs: cfg.pollMs ?? 250,
        rebroadcastMs: cfg.rebroadcastMs ?? 5_000,
        stuckAfterMs: cfg.stuckAfterMs ?? 60_000,
        maxBumps: cfg.maxBumps ?? 3,
        fees: cfg.fees,
        foreignNonceGraceMs: cfg.foreignNonceGraceMs ?? Math.max(2_000, (cfg.pollMs ?? 250) * 8),
      },
    })
  }
  const signers = new Map(options.signers.map((a) => [a.address.toLowerCase(), a]))
  const lanes = new Map<string, NonceLane>()
  const ready = new Map<string, Promise<void>>()
  const drivers = new Map<number, Promise<IntentOutcome>>()

  const chainOf = (chainId: number) => {
    const c = chains.get(chainId)
    if (!c)
      throw new TxConfigError('TX_UNKNOWN_CHAIN', `chain ${chainId} is not configured`, 'add it to the chains config')
    return c
  }
  const confirmCtx = (chainId: number, from: Address): ConfirmContext => {
    const c = chainOf(chainId)
    return {
      settings: c.settings,
      rpc: c.rpc,
      journal,
      account: signers.get(from.toLowerCase()),
      logger,
      now,
      sleep,
      onStep: options.onStep,
      watcher: c.watcher,
    }
  }
  /** One driver per intent group, shared by every caller waiting on it. */
  const drive = (row: IntentRow, signal?: AbortSignal, justBroadcast = false): Promise<IntentOutcome> => {
    let p = drivers.get(row.rootId)
    if (!p) {
      p = driveIntent(confirmCtx(row.chainId, row.from), row.rootId, signal, justBroadcast).finally(() =>
        drivers.delete(row.rootId),
      )
      drivers.set(row.rootId, p)
    }
    return p
  }
  /** Before a wallet's first new send in this process, its open intents are brought back to the network. */
  const ensureReady = (chainId: number, from: Address): Promise<void> => {
    const key = `${chainId}:${from.toLowerCase()}`
    let p = ready.get(key)
    if (!p) {
      p = (async () => {
        const open = journal.openRoots(chainId, from)
        for (const rootId of open) void drive(journal.get(rootId)!).catch(() => undefined)
        // One pass suffices to re-send journaled bytes: the lane then skips their nonces (journal max open nonce).
        const c = chainOf(chainId)
        for (const rootId of open) {
          const last = journal
            .group(rootId)
            .filter((r) => r.hash && ['signed', 'unknown', 'dropped'].includes(r.status))
            .pop()
          if (last) applyBroadcast(journal, last, await c.rpc.broadcast(last.rawTx as Hex))
        }
      })()
      p.catch(() => ready.delete(key))
      ready.set(key, p)
    }
    return p
  }
  /** In a cluster: holds the lane's lease first; a lane just taken from a peer is reconciled again before use. */
  const takeLane = async (chainId: number, from: Address, signal?: AbortSignal): Promise<void> => {
    if (options.lanes && (await options.lanes.acquire(chainId, from, signal)))
      ready.delete(`${chainId}:${from.toLowerCase()}`)
  }
  const laneOf = (chainId: number, account: LocalAccount): NonceLane => {
    const key = `${chainId}:${account.address.toLowerCase()}`
    let lane = lanes.get(key)
    if (!lane) {
      const c = chainOf(chainId)
      lane = createNonceLane({
        chainId,
        account,
        rpc: c.rpc,
        journal,
        logger: logger.child({ chainId }),
        applyBroadcast: (row, outcome) => applyBroadcast(journal, row, outcome),
        maxBatch: c.cfg.maxBatch,
        onStep: options.onStep,
      })
      lanes.set(key, lane)
    }
    return lane
  }

  const finish = (outcome: IntentOutcome, resumed: boolean): SendResult => {
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

  async function send(call: TxCall, opts: SendOptions): Promise<SendResult | DryRunResult> {
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
    if (!opts.dryRun) {
      const existing = journal.findNormal(opts.runId, callIndex)
      if (existing) {
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
      await takeLane(call.chainId, account.address, opts.signal)
      await ensureReady(call.chainId, account.address)
    }
    // Concurrent sends share one fee read (single flight): the answer is the same for all of them.
    c.feesInFlight ??= estimateCappedFees(c.rpc, c.cfg.fees).finally(() => {
      c.feesInFlight = undefined
    })
    const fees = await c.feesInFlight
    const tokenSpends = call.tokenSpends ?? []
    const spentToday = journal.spendSince(call.chainId, account.address, Math.floor(now() / DAY_MS) * DAY_MS)
    const judge = (gasLimit: bigint) =>
      policy.check({
        chainId: call.chainId,
        from: account.address,
        to: call.to,
        value,
        data,
        gasLimit,
        fees,
        tokenSpends,
        spentToday,
      })
    // Refuse what the policy forbids before simulating it, then again with the real gas limit.
    judge(call.gas ?? 21_000n)
    const gasLimit = await simulateAndEstimate(c.rpc, account.address, call, c.cfg.gasMarginPct ?? 20, opts.signal)
    judge(gasLimit)
    // What the journal counts against the daily token caps: declared spends plus decoded transfers (not approvals).
    const spends = effectiveTokenSpends({
      chainId: call.chainId,
      from: account.address,
      to: call.to,
      value,
      data,
      gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      tokenSpends,
    })
    if (spends.length > 1) {
      throw new TxConfigError(
        'TX_MULTI_TOKEN_SPEND',
        `call to ${call.to} spends ${spends.length} tokens; the journal tracks one per call`,
        'split the call, or extend the journal to several token spends per intent',
      )
    }
    const token = spends[0] ? { token: spends[0].token, amount: spends[0].amount } : undefined
    const validUntil = now() + (opts.deadlineMs ?? c.cfg.validityMs ?? 600_000)
    if (opts.dryRun) {
      const [row] = journal.recordBatch([
        {
          runId: opts.runId,
          callIndex,
          chainId: call.chainId,
          from: account.address,
          nonce: null,
          to: call.to,
          value,
          data,
          dataHash,
          tokenAddress: token?.token ?? null,
          tokenAmount: token?.amount ?? null,
          kind: 'normal',
          dryRun: true,
          rawTx: null,
          hash: null,
          gasLimit,
          ...fees,
          validUntil,
        },
      ])
      return {
        intentId: row!.id,
        dryRun: true,
        would: { chainId: call.chainId, from: account.address, to: call.to, value, data, gasLimit, ...fees },
      }
    }
    const row = await laneOf(call.chainId, account).submit({
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
    })
    options.onStep?.('awaiting_receipt', { runId: row.runId, nonce: row.nonce ?? -1 })
    return finish(await drive(row, opts.signal, true), false)
  }

  return {
    journal,
    send: send as TxEngine['send'],
    async reconcileOpenIntents(signal) {
      const roots = journal.openRoots()
      return Promise.all(roots.map((id) => drive(journal.get(id)!, signal)))
    },
    async reconcileRun(runId, { expectedCalls, signal } = {}) {
      const rows = journal.byRun(runId).filter((r) => !r.dryRun)
      const outcomes: IntentOutcome[] = []
      for (const rootId of new Set(rows.map((r) => r.rootId))) {
        const root = journal.get(rootId)!
        await takeLane(root.chainId, root.from, signal)
        try {
          outcomes.push(await drive(journal.get(rootId)!, signal))
        } catch (err) {
          if (err instanceof IntentPendingError) return { status: 'needs_attention', reason: err.message }
          throw err
        }
      }
      return reconcileRunOutcome(outcomes, expectedCalls)
    },
  }
}
