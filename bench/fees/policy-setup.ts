// The policy, oracle and risk settings the fee bench runs with (one place, shared by both replays).
import type { DynamicPolicyConfig } from '../../src/bot/dynamic-policy.ts'
import type { ReservationConfig } from '../../src/bot/reservation-price.ts'
import type { BreakerStatus } from '../../src/risk/circuit-breaker.ts'
import type { GasOracleConfig } from '../../src/risk/gas-oracle.ts'
import type { VolatilityReading } from '../../src/risk/volatility.ts'
import { WINDOW_BLOCKS } from './trace-market.ts'

/** The oracle as the bot configures it on mainnet, with block-age limits that tolerate pre-Merge gaps. */
export function oracleConfig(): GasOracleConfig {
  return {
    chainId: 1,
    windowBlocks: WINDOW_BLOCKS,
    maxBlockAgeMs: 10 * 60_000,
    maxUpdateAgeMs: 10 * 60_000,
    unavailableAfterMs: 30 * 60_000,
  }
}

const closed: BreakerStatus = { state: 'closed', causes: [], openedAt: null, resetEligibleAt: null, manualHalt: null }
const calm: VolatilityReading = { level: 'low', value: null, returns: 0, warmedUp: false, since: null, at: null }
/** Deadline jobs are not recurring, so volatility thinning never applies to them; the breaker stays closed. */
export const calmRisk = { circuitBreaker: closed, volatility: calm }

/** The policy with the bot's defaults, every cap at the trace's cap, and the given reservation parameters. */
export function policyFor(
  cap: bigint,
  reservation: ReservationConfig | undefined,
  base: DynamicPolicyConfig,
): DynamicPolicyConfig {
  return {
    ...base,
    maxGasPrice: cap,
    criticalMaxGasPrice: cap * 2n,
    hardMaxGasPrice: cap,
    deadline: { ...base.deadline, reservation },
  }
}
