// Shared inputs of the dispatch-decision tests: one policy config, calm risk, and a fresh gas snapshot builder.
import type { BreakerStatus } from '../risk/circuit-breaker.ts'
import type { GasSnapshot } from '../risk/gas-oracle.ts'
import type { VolatilityReading } from '../risk/volatility.ts'
import type { DueRun, DynamicPolicyConfig } from './dynamic-policy.ts'

/** One gwei in wei. */
export const G = 1_000_000_000n
/** One minute in ms. */
export const MIN = 60_000
/** The tests' fixed "now": a Monday noon, UTC. */
export const T0 = Date.UTC(2026, 0, 5, 12)

/** Caps 50/120/200 gwei, 30 min max delay, deadline percentiles 10..50 with a 10 min safety margin. */
export const CFG: DynamicPolicyConfig = {
  maxGasPrice: 50n * G,
  criticalMaxGasPrice: 120n * G,
  hardMaxGasPrice: 200n * G,
  maxDelayMs: 30 * MIN,
  recheckMs: MIN,
  deadline: { lowPercentile: 10, highPercentile: 50, shape: 1, safetyMs: 10 * MIN },
  thinning: { mode: 'stretch', factor: 3 },
}

/** A closed breaker. */
export const closed: BreakerStatus = {
  state: 'closed',
  causes: [],
  openedAt: null,
  resetEligibleAt: null,
  manualHalt: null,
}
/** Low, warmed-up volatility. */
export const calm: VolatilityReading = { level: 'low', value: 0.4, returns: 240, warmedUp: true, since: null, at: null }
/** Risk inputs under which nothing is held. */
export const risk = { circuitBreaker: closed, volatility: calm }

/** A fresh chain-1 gas snapshot at T0 with the given base fee in gwei (percentiles p10..p90 = 20..60 gwei). */
export function gas(baseGwei: bigint, over: Partial<GasSnapshot> = {}): GasSnapshot {
  return {
    chainId: 1,
    status: 'fresh',
    reason: null,
    baseFee: baseGwei * G,
    nextBaseFee: null,
    priorityFee: 1n * G,
    percentiles: { p10: 20n * G, p25: 25n * G, p50: 30n * G, p90: 60n * G },
    quantiles: null,
    samples: 300,
    latestBlock: 100n,
    latestBlockTime: T0 / 1000,
    lastUpdateAt: T0,
    ...over,
  }
}

/** A gas-sensitive swap on chain 1 due at T0. */
export const swap: DueRun = { jobId: 'swap', chainId: 1, dueAt: T0, gasSensitive: true }
/** Market input at `now` with one chain's snapshot. */
export const at = (now: number, g: GasSnapshot) => ({ now, gas: { 1: g } })
