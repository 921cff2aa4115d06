// RiskManager: refreshes gas oracles and prices, updates volatility, scores risk and drives the circuit breaker.
import type { Logger } from '../logging/logger.ts'
import type { RiskAssessment } from './assessment.ts'
import type { CircuitBreaker } from './circuit-breaker.ts'
import type { GasOracle, GasSnapshot } from './gas-oracle.ts'
import type { PriceObservation, PriceSource } from './price-source.ts'
import type { VolatilityClassifier } from './volatility.ts'

/** Points added to the 0..100 risk score by each condition (configurable; defaults below). */
export interface RiskWeights {
  volatilityMedium: number
  volatilityHigh: number
  /** Not enough prices yet to know the volatility. */
  volatilityUnknown: number
  /** Current base fee at or above the window's p90 on some chain. */
  gasSpike: number
  gasStale: number
  gasUnavailable: number
  /** A price source answered stale, invalid or not at all. */
  priceUnusable: number
}

const DEFAULT_WEIGHTS: RiskWeights = {
  volatilityMedium: 20,
  volatilityHigh: 45,
  volatilityUnknown: 10,
  gasSpike: 15,
  gasStale: 25,
  gasUnavailable: 35,
  priceUnusable: 40,
}

/** Options of `createRiskManager`. */
export interface CreateRiskManagerOptions {
  gasOracles: GasOracle[]
  /** The first source that answers feeds the volatility classifier; every unusable one counts as a stale oracle. */
  priceSources: PriceSource[]
  volatility: VolatilityClassifier
  breaker: CircuitBreaker
  weights?: Partial<RiskWeights>
  /** Also trip the breaker when a chain's gas data is stale/unavailable (default false: the policy already
   * holds gas-sensitive work on unknown gas, and a quiet devnet would otherwise halt everything). */
  staleGasTripsBreaker?: boolean
  now?: () => number
  logger?: Logger
}

/** The risk manager. */
export interface RiskManager {
  /** Refreshes every source (unless `refresh: false`), evaluates the breaker, and returns the assessment. */
  assessCurrentRisk(options?: { refresh?: boolean }): Promise<RiskAssessment>
  /** The last assessment, or null before the first. */
  latest(): RiskAssessment | null
}

/** Creates the risk manager; it never throws on bad market data, it reports it (and fails closed through the score). */
export function createRiskManager(options: CreateRiskManagerOptions): RiskManager {
  const w = { ...DEFAULT_WEIGHTS, ...options.weights }
  const now = options.now ?? Date.now
  const log = options.logger?.child({ component: 'risk-manager' })
  let last: RiskAssessment | null = null

  async function assessCurrentRisk(opts: { refresh?: boolean } = {}): Promise<RiskAssessment> {
    const refresh = opts.refresh ?? true
    const gas: Record<number, GasSnapshot> = {}
    for (const o of options.gasOracles) gas[o.chainId] = refresh ? await o.refresh() : o.snapshot()
    const prices: PriceObservation[] = []
    for (const p of options.priceSources) prices.push(await p.observe())
    const primary = prices.find((p): p is Extract<PriceObservation, { ok: true }> => p.ok)
    const volatility = primary ? options.volatility.push(primary.at, primary.price) : options.volatility.reading()

    let score = 0
    const reasons: string[] = []
    const stale: string[] = []
    if (!volatility.warmedUp) {
      score += w.volatilityUnknown
      reasons.push(`volatility not known yet (${volatility.returns} returns)`)
    } else if (volatility.level !== 'low') {
      score += volatility.level === 'high' ? w.volatilityHigh : w.volatilityMedium
      reasons.push(`volatility ${volatility.level} (${((volatility.value ?? 0) * 100).toFixed(0)} %)`)
    }
    let gasPoints = 0
    for (const g of Object.values(gas)) {
      if (g.status === 'unavailable') {
        gasPoints = Math.max(gasPoints, w.gasUnavailable)
        reasons.push(`chain ${g.chainId} gas unavailable: ${g.reason}`)
        if (options.staleGasTripsBreaker) stale.push(`gas oracle chain ${g.chainId} unavailable: ${g.reason}`)
      } else if (g.status === 'stale') {
        gasPoints = Math.max(gasPoints, w.gasStale)
        reasons.push(`chain ${g.chainId} gas stale: ${g.reason}`)
        if (options.staleGasTripsBreaker) stale.push(`gas oracle chain ${g.chainId} stale: ${g.reason}`)
      } else if (g.baseFee !== null && g.percentiles && g.baseFee >= g.percentiles.p90 && g.samples >= 10) {
        gasPoints = Math.max(gasPoints, w.gasSpike)
        reasons.push(`chain ${g.chainId} base fee ${g.baseFee} wei at/above the window p90 ${g.percentiles.p90}`)
      }
    }
    score += gasPoints
    const unusable = prices.filter((p): p is Extract<PriceObservation, { ok: false }> => !p.ok)
    if (unusable.length > 0) {
      score += w.priceUnusable
      for (const p of unusable) {
        reasons.push(`price ${p.source} ${p.status}: ${p.reason}`)
        stale.push(`price ${p.source} ${p.status}: ${p.reason}`)
      }
    }
    const riskScore = Math.min(100, Math.max(0, Math.round(score)))
    const circuitBreaker = options.breaker.evaluate({ riskScore, staleOracles: stale })
    if (circuitBreaker.state === 'open') {
      reasons.push(`circuit breaker open: ${circuitBreaker.causes.map((c) => c.detail).join('; ')}`)
    }
    last = { at: now(), riskScore, circuitBreaker, reasons, gas, volatility, prices }
    log?.debug({ riskScore, breaker: circuitBreaker.state, reasons }, 'risk assessed')
    return last
  }

  return { assessCurrentRisk, latest: () => last }
}
