// Per-chain gas oracle: base and priority fee from eth_feeHistory (or a recorded series) over a rolling window.
import type { PublicClient } from 'viem'
import { redactSecrets } from '../logging/redact.ts'
import { RiskConfigError } from './errors.ts'
import { computeGasTiming, type GasTiming } from './gas-timing.ts'
import { percentileOfSorted, sortBigints } from './percentile.ts'

/** One block's fee data. `timestamp` (unix s) is known for the head block and for recorded series. */
export interface FeeSample {
  blockNumber: bigint
  baseFeePerGas: bigint
  timestamp?: number
  /** Median priority fee paid in that block (eth_feeHistory reward at the 50th percentile). */
  priorityFee?: bigint
}

/** `fresh`: recent data; `stale`: data exists but is too old or the last refresh failed; `unavailable`: none usable. */
export type GasStatus = 'fresh' | 'stale' | 'unavailable'

/** Base-fee percentiles of the rolling window, in wei. */
export interface GasPercentiles {
  p10: bigint
  p25: bigint
  p50: bigint
  p90: bigint
}

/** What the oracle knows about one chain's fees right now. Fees are null when nothing usable is known. */
export interface GasSnapshot {
  chainId: number
  status: GasStatus
  /** Why the status is not `fresh` (human-readable), else null. */
  reason: string | null
  /** Base fee of the newest block seen. */
  baseFee: bigint | null
  /** Base fee of the next block when the node reported it (eth_feeHistory's extra element). */
  nextBaseFee: bigint | null
  /** Median of the recent per-block median priority fees. */
  priorityFee: bigint | null
  percentiles: GasPercentiles | null
  /** Base-fee percentiles p0, p5, ..., p100 of the window (21 points), for finer thresholds. */
  quantiles: bigint[] | null
  /** Trend, decorrelation and spread of the window for deadline timing; null when too little is known. */
  timing?: GasTiming | null
  samples: number
  latestBlock: bigint | null
  /** Unix seconds of the newest block, when known. */
  latestBlockTime: number | null
  /** Clock ms of the last successful refresh or ingest. */
  lastUpdateAt: number | null
}

/** The two viem public-client calls the oracle needs (a narrow port so tests and bench can pass any client). */
export type FeeHistoryClient = Pick<PublicClient, 'getFeeHistory' | 'getBlock'>

/** Oracle settings; times are in the oracle clock's milliseconds unless named otherwise. */
export interface GasOracleConfig {
  chainId: number
  /** Blocks kept in the rolling window (eth_feeHistory serves at most 1024 per call). */
  windowBlocks?: number
  /** A head block older than this (by block timestamp) makes the data `stale`; Infinity for an idle devnet. */
  maxBlockAgeMs?: number
  /** Without a successful refresh/ingest for this long the data is `stale`. */
  maxUpdateAgeMs?: number
  /** Without a successful refresh/ingest for this long the data is `unavailable`: too old to mean anything. */
  unavailableAfterMs?: number
}

const QUANTILE_POINTS = Array.from({ length: 21 }, (_, i) => i * 5)

/** A gas oracle for one chain. */
export interface GasOracle {
  readonly chainId: number
  /** Fetches new blocks' fees through the client; a failure is recorded (never thrown) and shows in `snapshot()`. */
  refresh(): Promise<GasSnapshot>
  /** Feeds recorded samples (replay/bench); out-of-order or duplicate blocks are ignored. */
  ingest(samples: readonly FeeSample[], nextBaseFee?: bigint): void
  snapshot(): GasSnapshot
  /** Any base-fee percentile (0..100) of the window, or null without data. */
  percentile(q: number): bigint | null
}

/** Options of `createGasOracle`. */
export interface CreateGasOracleOptions {
  config: GasOracleConfig
  /** Needed for `refresh()`; a replay-only oracle can omit it. */
  client?: FeeHistoryClient
  /** Clock in ms; the bench passes its simulated clock. */
  now?: () => number
}

/**
 * Creates a gas oracle. Unknown or failing data is never reported as cheap gas: snapshots then carry
 * `stale`/`unavailable` and the policy treats both as "do not send gas-sensitive work".
 */
export function createGasOracle(options: CreateGasOracleOptions): GasOracle {
  const cfg = {
    windowBlocks: 300,
    maxBlockAgeMs: 120_000,
    maxUpdateAgeMs: 120_000,
    unavailableAfterMs: 900_000,
    ...options.config,
  }
  if (!Number.isInteger(cfg.windowBlocks) || cfg.windowBlocks < 1 || cfg.windowBlocks > 10_000) {
    throw new RiskConfigError(`gas oracle windowBlocks must be an integer in 1..10000, got ${cfg.windowBlocks}`)
  }
  if (cfg.unavailableAfterMs < cfg.maxUpdateAgeMs) {
    throw new RiskConfigError('gas oracle unavailableAfterMs must be >= maxUpdateAgeMs', {
      hint: 'data goes stale first, then unavailable',
    })
  }
  const now = options.now ?? Date.now
  const window: FeeSample[] = []
  let sorted: bigint[] | null = null
  let timing: GasTiming | null | undefined
  let nextBaseFee: bigint | null = null
  let latestBlockTime: number | null = null
  let lastUpdateAt: number | null = null
  let lastError: { at: number; message: string } | null = null

  function push(samples: readonly FeeSample[]): void {
    for (const s of samples) {
      const last = window[window.length - 1]
      if (last && s.blockNumber <= last.blockNumber) continue
      window.push(s)
      if (s.timestamp !== undefined) latestBlockTime = s.timestamp
    }
    if (window.length > cfg.windowBlocks) window.splice(0, window.length - cfg.windowBlocks)
    sorted = null
    timing = undefined
  }

  function sortedFees(): bigint[] {
    sorted ??= sortBigints(window.map((s) => s.baseFeePerGas))
    return sorted
  }

  function percentile(q: number): bigint | null {
    return percentileOfSorted(sortedFees(), q)
  }

  function freshness(): { status: GasStatus; reason: string | null } {
    const t = now()
    if (window.length === 0) {
      return { status: 'unavailable', reason: lastError ? `no fee data: ${lastError.message}` : 'no fee data yet' }
    }
    const updateAge = lastUpdateAt === null ? Infinity : t - lastUpdateAt
    if (updateAge > cfg.unavailableAfterMs) {
      return { status: 'unavailable', reason: `no successful fee update for ${Math.round(updateAge / 1000)} s` }
    }
    if (lastError && (lastUpdateAt === null || lastError.at >= lastUpdateAt)) {
      return { status: 'stale', reason: `last fee refresh failed: ${lastError.message}` }
    }
    if (updateAge > cfg.maxUpdateAgeMs) {
      return { status: 'stale', reason: `fee data is ${Math.round(updateAge / 1000)} s old` }
    }
    if (latestBlockTime !== null && t - latestBlockTime * 1000 > cfg.maxBlockAgeMs) {
      return { status: 'stale', reason: `head block is ${Math.round((t - latestBlockTime * 1000) / 1000)} s old` }
    }
    return { status: 'fresh', reason: null }
  }

  function snapshot(): GasSnapshot {
    const { status, reason } = freshness()
    const fees = sortedFees()
    const latest = window[window.length - 1]
    const tips = sortBigints(window.flatMap((s) => (s.priorityFee === undefined ? [] : [s.priorityFee])))
    const usable = status !== 'unavailable'
    return {
      chainId: cfg.chainId,
      status,
      reason,
      baseFee: usable ? (latest?.baseFeePerGas ?? null) : null,
      nextBaseFee: usable ? nextBaseFee : null,
      priorityFee: usable ? percentileOfSorted(tips, 50) : null,
      percentiles:
        usable && fees.length > 0
          ? {
              p10: percentileOfSorted(fees, 10)!,
              p25: percentileOfSorted(fees, 25)!,
              p50: percentileOfSorted(fees, 50)!,
              p90: percentileOfSorted(fees, 90)!,
            }
          : null,
      quantiles: usable && fees.length > 0 ? QUANTILE_POINTS.map((q) => percentileOfSorted(fees, q)!) : null,
      timing: usable ? (timing ??= computeGasTiming(window)) : null,
      samples: window.length,
      latestBlock: latest?.blockNumber ?? null,
      latestBlockTime,
      lastUpdateAt,
    }
  }

  async function refresh(): Promise<GasSnapshot> {
    const client = options.client
    if (!client) throw new RiskConfigError(`gas oracle for chain ${cfg.chainId} has no RPC client to refresh from`)
    try {
      const head = await client.getBlock({ blockTag: 'latest' })
      const headNumber = head.number
      if (headNumber === null) throw new Error('node returned a pending head block')
      const known = window[window.length - 1]?.blockNumber ?? -1n
      const missing = headNumber - known
      if (missing > 0n) {
        const blockCount = Number(missing > BigInt(cfg.windowBlocks) ? BigInt(cfg.windowBlocks) : missing)
        const hist = await client.getFeeHistory({ blockCount, blockNumber: headNumber, rewardPercentiles: [50] })
        const samples: FeeSample[] = []
        for (let i = 0; i < blockCount; i++) {
          const blockNumber = hist.oldestBlock + BigInt(i)
          const baseFeePerGas = hist.baseFeePerGas[i]
          if (baseFeePerGas === undefined) throw new Error(`eth_feeHistory returned too few base fees (${i})`)
          const tip = hist.reward?.[i]?.[0]
          samples.push({
            blockNumber,
            baseFeePerGas,
            ...(tip === undefined ? {} : { priorityFee: tip }),
            ...(blockNumber === headNumber ? { timestamp: Number(head.timestamp) } : {}),
          })
        }
        push(samples)
        nextBaseFee = hist.baseFeePerGas[blockCount] ?? null
      }
      latestBlockTime = Number(head.timestamp)
      lastUpdateAt = now()
      lastError = null
    } catch (err) {
      lastError = { at: now(), message: describe(err) }
    }
    return snapshot()
  }

  return {
    chainId: cfg.chainId,
    refresh,
    ingest(samples, next) {
      push(samples)
      nextBaseFee = next ?? null
      lastUpdateAt = now()
      lastError = null
    },
    snapshot,
    percentile,
  }
}

/** A short, secret-free description of an RPC failure (viem messages may carry the RPC URL). */
function describe(err: unknown): string {
  const e = err as { shortMessage?: unknown; message?: unknown }
  const text =
    typeof e?.shortMessage === 'string' ? e.shortMessage : typeof e?.message === 'string' ? e.message : String(err)
  return redactSecrets(text.split('\n')[0] ?? '').slice(0, 200)
}
