// The adapter contract: an adapter validates params, reads the chain, and returns exact calls; it never signs or sends.
import type { Address, Hex, PublicClient } from 'viem'
import type { z } from 'zod'

/** What kind of routine an adapter performs; risk rules and presets select adapters by kind. */
export type AdapterKind = 'swap' | 'bridge' | 'lend' | 'transfer'

/** One transaction to send, exactly as the engine will simulate, cap, sign and send it. */
export interface Call {
  chainId: number
  to: Address
  data: Hex
  value: bigint
  /** Short human label for logs and risk review, e.g. "approve USDC to UniswapV2Router02". */
  label: string
}

/** An ERC-20 known to the operator's address book. */
export interface TokenInfo {
  symbol: string
  address: Address
  decimals: number
}

/** Everything the adapters may look up on one chain; config (or the devnet) provides it. */
export interface ChainBook {
  chainId: number
  /** ERC-20 tokens by symbol. "ETH" is reserved for the native coin and never appears here. */
  tokens: Record<string, TokenInfo>
  /** Named protocol contracts: weth, uniswapV2Router02, l1StandardBridge, l2StandardBridge, aaveV3Pool... */
  contracts: Record<string, Address>
  /** ERC-4626 vaults by name. */
  vaults?: Record<string, Address>
  /** Chainlink-style feeds by pair name, e.g. ETH_USD. */
  priceFeeds?: Record<string, Address>
  /** For an OP-Stack L2: the chain id of its L1 (deposits come from there). */
  parentChainId?: number
}

/** Address books by chain id. */
export type AddressBook = Record<number, ChainBook>

/** A clock adapters use for deadlines and waiting, so tests can control time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** Read-only view of the world an adapter gets: no signer, no sender, no store. */
export interface ReadContext {
  /** A public (read-only) client for a chain; throws a ValidationError for a chain not configured. */
  client(chainId: number): PublicClient
  /** The wallet the calls will be sent from. */
  wallet: Address
  /** All wallets the operator owns; transfers and bridge recipients must be one of them. */
  ownWallets: readonly Address[]
  clock: Clock
  book: AddressBook
  /** Aborts long reads and verification waits (shutdown, job timeout). */
  signal?: AbortSignal
}

/** Result of a post-condition check (e.g. a bridge deposit arrived on the destination chain). */
export type VerifyOutcome = { ok: true; evidence: string } | { ok: false; reason: string }

/** Options for `verify`: how long to wait for the post-condition before reporting it unmet. */
export interface VerifyOptions {
  /** Give up (ok: false) after this many ms of the context clock; default is the adapter's own. */
  timeoutMs?: number
  pollMs?: number
}

/**
 * One protocol adapter. `params` parses raw (JSON/config) input into `P`; `buildCalls` returns the calls in the
 * order they must be executed (an approval before the call that spends it). `snapshot` + `verify`, when present,
 * are a post-condition the job must meet after the calls are confirmed: take `snapshot` BEFORE sending.
 */
export interface ProtocolAdapter<P = unknown, S = unknown> {
  id: string
  kind: AdapterKind
  description: string
  params: z.ZodType<P, unknown>
  /** Amount fields people type in token units ("0.2"); the registry turns them into base units before `params`. */
  amounts?: AmountFields
  buildCalls(ctx: ReadContext, p: P): Promise<Call[]>
  snapshot?(ctx: ReadContext, p: P): Promise<S>
  verify?(ctx: ReadContext, p: P, before: S, opts?: VerifyOptions): Promise<VerifyOutcome>
  /** `verify` waits for an effect on another chain (a bridge arrival): a dry run's isolated forks never see one. */
  verifiesArrival?: boolean
}

/** Which token an amount field is counted in (see shared/amount-fields.ts). */
export type AmountDenomination =
  /** A symbol from the chain's address book, or "ETH" for the native coin (18 decimals). */
  | { chainId: number; token: string }
  /** Any ERC-20 by address (e.g. vault shares): decimals from the book when listed, else read once from the chain. */
  | { chainId: number; address: Address }
  /** The underlying asset of an ERC-4626 vault (read from the chain once). */
  | { chainId: number; vaultAsset: Address }

/**
 * An adapter's amount fields: for each field name, which token it is in, from the raw params and the book.
 * Returns undefined when the field is not an amount in this case (e.g. "max", or a chain id that is itself wrong).
 */
export type AmountFields = Record<
  string,
  (raw: Record<string, unknown>, book: AddressBook) => AmountDenomination | undefined
>

/** Typed identity helper: lets TypeScript infer `P` and `S` for an adapter literal. */
export function defineAdapter<P, S = unknown>(adapter: ProtocolAdapter<P, S>): ProtocolAdapter<P, S> {
  return adapter
}
