// The RiskAssessment shape shared by the risk manager (producer) and the dynamic policy (consumer).
import type { BreakerStatus } from './circuit-breaker.ts'
import type { GasSnapshot } from './gas-oracle.ts'
import type { PriceObservation } from './price-source.ts'
import type { VolatilityReading } from './volatility.ts'

/** One assessment of the market and of the bot's own health, taken at `at` (clock ms). */
export interface RiskAssessment {
  at: number
  /** 0 (calm) .. 100 (do nothing); see risk-manager.ts for how it is composed. */
  riskScore: number
  circuitBreaker: BreakerStatus
  /** Human-readable reasons behind the score and the breaker state. */
  reasons: string[]
  /** Gas snapshot per chain id. */
  gas: Record<number, GasSnapshot>
  volatility: VolatilityReading
  prices: PriceObservation[]
}
