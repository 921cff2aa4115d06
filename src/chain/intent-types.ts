// The intent journal's port: the row types and the interface the lanes, the engine and reconciliation use; a store
// implements it (SQLite in src/store, PostgreSQL in src/store/postgres) and the conformance suite checks both.
import type { Address, Hex } from 'viem'

/** Lifecycle of one signed attempt. */
export type IntentStatus =
  | 'prepared'
  | 'signed'
  | 'broadcast'
  | 'unknown'
  | 'mined'
  | 'confirmed'
  | 'failed'
  | 'dropped'
  | 'replaced'
  | 'needs_attention'

/** Why a row exists: the original send, a fee-bump at the same nonce, or a 0-value self-transfer cancel. */
export type IntentKind = 'normal' | 'replacement' | 'cancel'

/** Statuses of an attempt whose fate is not settled yet. */
export const OPEN_STATUSES: readonly IntentStatus[] = ['signed', 'broadcast', 'unknown', 'mined', 'dropped']

/** One journal row, decoded. */
export interface IntentRow {
  id: number
  rootId: number
  runId: string
  callIndex: number
  chainId: number
  from: Address
  nonce: number | null
  to: Address
  value: bigint
  data: Hex
  dataHash: Hex
  tokenAddress: Address | null
  tokenAmount: bigint | null
  kind: IntentKind
  status: IntentStatus
  dryRun: boolean
  rawTx: Hex | null
  hash: Hex | null
  gasLimit: bigint | null
  maxFeePerGas: bigint | null
  maxPriorityFeePerGas: bigint | null
  blockHash: Hex | null
  blockNumber: number | null
  error: string | null
  validUntil: number | null
  broadcastCount: number
  createdAt: number
  updatedAt: number
  broadcastAt: number | null
  minedAt: number | null
}

/** What is recorded for a new attempt (signed, or a dry run with no signature): a row's own fields, fees known. */
export type NewIntent = Pick<
  IntentRow,
  | 'runId'
  | 'callIndex'
  | 'chainId'
  | 'from'
  | 'nonce'
  | 'to'
  | 'value'
  | 'data'
  | 'dataHash'
  | 'kind'
  | 'rawTx'
  | 'hash'
  | 'validUntil'
> &
  Partial<Pick<IntentRow, 'tokenAddress' | 'tokenAmount' | 'dryRun'>> & {
    /** Set for replacement/cancel rows: the original attempt's id. */
    rootId?: number
    gasLimit: bigint
    maxFeePerGas: bigint
    maxPriorityFeePerGas: bigint
  }

/** Extra columns a status change may set. */
export interface StatusFields {
  blockHash?: Hex | null
  blockNumber?: number | null
  error?: string | null
  broadcast?: boolean
}

/** Native and per-token amounts a wallet committed to since a point in time. */
export interface SpendTotals {
  native: bigint
  tokens: Map<string, bigint>
}

/** Options for the journal. */
export interface IntentJournalOptions {
  /** Injectable clock (ms) for tests. */
  now?: () => number
}

/** The journal API used by the lanes, the engine and the reconcile hook. */
export interface IntentJournal {
  /** Runs several status writes in one transaction (one commit); they are recoverable, so no fsync is forced. */
  batch<T>(fn: () => T): T
  /** Records attempts in ONE `BEGIN IMMEDIATE` transaction with `synchronous=FULL`; returns the rows. */
  recordBatch(intents: NewIntent[]): IntentRow[]
  /** Queues attempts for the next group commit (several lanes' batches share one fsync). */
  record(intents: NewIntent[]): Promise<IntentRow[]>
  setStatus(id: number, status: IntentStatus, fields?: StatusFields): void
  /** Settles a group: the mined row becomes `status`, every other open row of the group becomes `replaced`. */
  settleGroup(rootId: number, minedId: number, status: IntentStatus, fields?: StatusFields): void
  /** Marks every open row of a group with `status` (needs_attention, failed). */
  closeGroup(rootId: number, status: IntentStatus, error: string): void
  get(id: number): IntentRow | undefined
  findByHash(hash: Hex): IntentRow | undefined
  findNormal(runId: string, callIndex: number): IntentRow | undefined
  group(rootId: number): IntentRow[]
  byRun(runId: string): IntentRow[]
  /** Root ids of groups with an open attempt, optionally for one wallet, oldest first. */
  openRoots(chainId?: number, from?: Address): number[]
  /** Highest nonce held by an open attempt of the wallet, or -1. */
  maxOpenNonce(chainId: number, from: Address): number
  /** value + gasLimit x maxFee of the wallet's open, not yet mined attempts (funds the chain may still take). */
  reservedFunds(chainId: number, from: Address): bigint
  /**
   * Spend committed by the wallet's normal, non-dry-run intents created at or after `sinceMs`: native is
   * value + worst-case gas (gasLimit x maxFee), tokens are the recorded ERC-20 spends.
   */
  spendSince(chainId: number, from: Address, sinceMs: number): SpendTotals
}

/** Who may send from a lane when several instances share one journal (a lease per chain and wallet). */
export interface LaneOwnership {
  /** Resolves once this instance holds the lane; true when it was just taken (its open intents must be reconciled first). */
  acquire(chainId: number, wallet: Address, signal?: AbortSignal): Promise<boolean>
  /** Marks the lane busy (an intent of it is being driven here) until the returned function is called. */
  use?(chainId: number, wallet: Address): () => void
}
