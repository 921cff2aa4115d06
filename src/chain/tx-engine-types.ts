// The transaction engine's contract: chain settings, the spend policy port, send options and results, the API.
import type { Address, Hex, LocalAccount, PublicClient } from 'viem'
import type { Logger } from '../logging/logger.ts'
import type { Db } from '../store/database.ts'
import type { ReconcileOutcome } from '../scheduler/index.ts'
import type { ConfirmSettings, IntentOutcome } from './confirm.ts'
import type { IntentJournal, LaneOwnership, SpendTotals } from './intent-types.ts'
import type { StepHook } from './nonce-lane.ts'
import type { MinimalReceipt } from './rpc-steps.ts'
import type { TxCall } from './tx-build.ts'
import type { TokenSpend } from './spend-policy.ts'
import type { FeeLimits, TxFees } from './tx-fees.ts'

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
