// The pure per-run dispatch decision behind scheduleDynamically: gas caps, deadline windows, thinning, breaker holds.
import type { RiskAssessment } from '../risk/assessment.ts'
import type { GasPercentiles, GasSnapshot } from '../risk/gas-oracle.ts'
import { reservationPrice, type ReservationConfig } from './reservation-price.ts'

/** What the scheduler knows about a due run. Times are clock ms; fees are wei. */
export interface DueRun {
  jobId: string
  chainId: number
  /** When the run was due (its trigger time); `maxDelayMs` counts from here. */
  dueAt: number
  priority?: number
  critical?: boolean
  gasSensitive: boolean
  /** Recurring jobs: interval, and the occurrence number when the scheduler tracks it. */
  recurring?: { intervalMs: number; occurrence?: number }
  /** Per-job cap on the expected gas price (next base fee + tip); else the global one. */
  maxGasPrice?: bigint
  /** Cap for a critical job (higher than the normal one); else the global critical cap. */
  criticalMaxGasPrice?: bigint
  maxDelayMs?: number
  /** Gas-timed jobs: may run any time in [releaseAt, deadline], and should catch cheap gas in between. */
  deadlineWindow?: { releaseAt: number; deadline: number }
}

/** Market data the decision needs: the time and each chain's gas snapshot. */
export interface MarketData {
  now: number
  gas: Record<number, GasSnapshot>
}

/** Machine-readable decision codes (the human text is in `reason`). */
export type DecisionCode =
  | 'ok'
  | 'gas_above_cap'
  | 'gas_wait_percentile'
  | 'gas_wait_reservation'
  | 'gas_unknown'
  | 'missed'
  | 'thinned'
  | 'breaker_open'
  | 'not_released'

/** The dispatch gate's answer for one due run. */
export type GateDecision =
  | { action: 'run'; code: DecisionCode; reason: string }
  | { action: 'delay'; code: DecisionCode; reason: string; until: number }
  | { action: 'skip'; code: DecisionCode; reason: string }
  | { action: 'hold'; code: DecisionCode; reason: string }

/** Policy settings; gas prices are wei, times ms. */
export interface DynamicPolicyConfig {
  maxGasPrice: bigint
  criticalMaxGasPrice: bigint
  /** Nothing non-critical is sent above this, deadline or not (money paths fail closed). */
  hardMaxGasPrice: bigint
  maxDelayMs: number
  /** How soon a delayed run is re-checked. */
  recheckMs: number
  /**
   * Deadline-window jobs wait for a base fee at or below a percentile of the oracle's recent window that rises
   * from `lowPercentile` at release to `highPercentile` at the deadline (`shape` > 1 stays low longer), and
   * send at any fee up to the caps once `safetyMs` before the deadline. With `reservation`, and when the oracle
   * has timing statistics, they wait for the reservation price instead (reservation-price.ts); the percentiles
   * remain the rule while the oracle cannot estimate a trend or a block interval.
   */
  deadline: {
    lowPercentile: number
    highPercentile: number
    shape: number
    safetyMs: number
    reservation?: ReservationConfig
  }
  /** While volatility is high: run one in `factor` occurrences (`stretch`), or skip every k-th (`skip-every`). */
  thinning: { mode: 'stretch'; factor: number } | { mode: 'skip-every'; k: number }
}

const gwei = (wei: bigint): string => {
  const whole = wei / 1_000_000_000n
  const frac = (wei % 1_000_000_000n).toString().padStart(9, '0').slice(0, 2)
  return `${whole}.${frac} gwei`
}

/** Linear interpolation of a base-fee percentile q (0..100) between the oracle's p10/p25/p50/p90 points. */
export function interpolatePercentile(p: GasPercentiles, q: number): bigint {
  const pts: [number, bigint][] = [
    [10, p.p10],
    [25, p.p25],
    [50, p.p50],
    [90, p.p90],
  ]
  if (q <= 10) return p.p10
  if (q >= 90) return p.p90
  for (let i = 1; i < pts.length; i++) {
    const [q1, v1] = pts[i]!
    const [q0, v0] = pts[i - 1]!
    if (q <= q1) {
      const t = BigInt(Math.round(((q - q0) / (q1 - q0)) * 1_000_000))
      return v0 + ((v1 - v0) * t) / 1_000_000n
    }
  }
  return p.p90
}

/** A base-fee percentile q of the snapshot's window: from the 21-point quantile table when present. */
export function snapshotPercentile(gas: Pick<GasSnapshot, 'percentiles' | 'quantiles'>, q: number): bigint | null {
  const t = gas.quantiles
  if (t && t.length === 21) {
    const x = Math.min(100, Math.max(0, q)) / 5
    const i = Math.min(19, Math.floor(x))
    const frac = BigInt(Math.round((x - i) * 1_000_000))
    return t[i]! + ((t[i + 1]! - t[i]!) * frac) / 1_000_000n
  }
  return gas.percentiles ? interpolatePercentile(gas.percentiles, q) : null
}

function thinned(run: DueRun, cfg: DynamicPolicyConfig, risk: Pick<RiskAssessment, 'volatility'>): string | null {
  if (!run.recurring || !run.gasSensitive || run.critical) return null
  if (risk.volatility.level !== 'high') return null
  const occ = run.recurring.occurrence ?? Math.floor(run.dueAt / run.recurring.intervalMs)
  const vol = risk.volatility.value === null ? '' : ` (${(risk.volatility.value * 100).toFixed(0)} %)`
  if (cfg.thinning.mode === 'stretch') {
    const n = Math.max(1, Math.floor(cfg.thinning.factor))
    if (occ % n === 0) return null
    return `thinned: volatility high${vol}, interval stretched x${n}; occurrence ${occ} skipped`
  }
  const k = Math.max(2, Math.floor(cfg.thinning.k))
  if (occ % k !== k - 1) return null
  return `thinned: volatility high${vol}, every ${k}th run skipped; occurrence ${occ} skipped`
}

/**
 * Decides one due run: breaker open -> hold non-critical; high volatility -> thin recurring gas-sensitive
 * runs; then, for gas-sensitive runs, compare the expected gas price with the caps (delay until it normalizes,
 * skip as missed once `maxDelayMs` or the deadline passes). Unknown or stale gas is never treated as cheap.
 */
export function decideDispatch(
  run: DueRun,
  market: MarketData,
  risk: Pick<RiskAssessment, 'circuitBreaker' | 'volatility'>,
  cfg: DynamicPolicyConfig,
): GateDecision {
  const now = market.now
  const breaker = risk.circuitBreaker
  if (breaker.state === 'open' && !run.critical) {
    const why = breaker.causes.map((c) => c.detail).join('; ') || 'no cause recorded'
    return {
      action: 'hold',
      code: 'breaker_open',
      reason: `circuit breaker open (${why}); non-critical jobs wait for its reset`,
    }
  }
  const thin = thinned(run, cfg, risk)
  if (thin) return { action: 'skip', code: 'thinned', reason: thin }
  if (!run.gasSensitive) return { action: 'run', code: 'ok', reason: 'not gas-sensitive' }

  const win = run.deadlineWindow
  if (win && now < win.releaseAt) {
    return {
      action: 'delay',
      code: 'not_released',
      reason: `released at ${new Date(win.releaseAt).toISOString()}`,
      until: win.releaseAt,
    }
  }
  const expiry = win ? win.deadline : run.dueAt + (run.maxDelayMs ?? cfg.maxDelayMs)
  const expiryText = win
    ? 'its deadline'
    : `its max delay of ${Math.round((run.maxDelayMs ?? cfg.maxDelayMs) / 1000)} s`
  const recheck = (code: DecisionCode, reason: string, limit = expiry): GateDecision => ({
    action: 'delay',
    code,
    reason,
    until: Math.max(now + 1, Math.min(now + cfg.recheckMs, limit)),
  })

  const gas = market.gas[run.chainId]
  const fee = gas && gas.status === 'fresh' ? (gas.nextBaseFee ?? gas.baseFee) : null
  if (!gas || fee === null) {
    const why = gas ? `${gas.status}${gas.reason ? `: ${gas.reason}` : ''}` : 'no oracle for this chain'
    if (now >= expiry)
      return { action: 'skip', code: 'missed', reason: `missed: gas price unknown (${why}) until ${expiryText}` }
    return recheck('gas_unknown', `gas price unknown (${why}); unknown gas is not treated as cheap`)
  }
  const price = fee + (gas.priorityFee ?? 0n)
  let cap = run.critical ? (run.criticalMaxGasPrice ?? cfg.criticalMaxGasPrice) : (run.maxGasPrice ?? cfg.maxGasPrice)
  if (!run.critical && cfg.hardMaxGasPrice < cap) cap = cfg.hardMaxGasPrice
  const capText = `${run.critical ? 'critical cap' : 'cap'} ${gwei(cap)}`

  if (price > cap) {
    if (now >= expiry)
      return {
        action: 'skip',
        code: 'missed',
        reason: `missed: gas ${gwei(price)} stayed above ${capText} until ${expiryText}`,
      }
    return recheck(
      'gas_above_cap',
      `gas ${gwei(price)} above ${capText}; re-checking until it normalizes or ${expiryText}`,
    )
  }
  if (!win) return { action: 'run', code: 'ok', reason: `gas ${gwei(price)} within ${capText}` }
  if (now >= win.deadline) return { action: 'skip', code: 'missed', reason: 'missed: deadline passed' }

  const sendBy = win.deadline - cfg.deadline.safetyMs
  const nearText = `deadline near: sending at ${gwei(price)} (within ${capText})`
  if (now >= sendBy) return { action: 'run', code: 'ok', reason: nearText }
  const rule = cfg.deadline.reservation
  // The stopping problem sees the cap as the base fee it allows (the tip is paid on top).
  const reading =
    rule && gas.timing ? reservationPrice(gas.timing, sendBy - now, rule, Number(cap - (gas.priorityFee ?? 0n))) : null
  if (reading) {
    const numbers =
      `reservation price for the ${reading.draws.toFixed(reading.draws < 10 ? 1 : 0)} independent draws left: ` +
      `${gwei(reading.price)}; trend ${reading.trendPerHour >= 0 ? '+' : ''}${(reading.trendPerHour * 100).toFixed(0)} %/h ` +
      `(±${Number.isFinite(reading.trendErrorPerHour) ? (reading.trendErrorPerHour * 100).toFixed(0) : '∞'} %/h)`
    if (fee <= reading.price)
      return { action: 'run', code: 'ok', reason: `base fee ${gwei(fee)} at or below the ${numbers}` }
    return recheck(
      'gas_wait_reservation',
      `base fee ${gwei(fee)}; ${numbers}; sends at any fee within ${capText} from ` +
        `${new Date(sendBy).toISOString()}`,
      sendBy,
    )
  }
  const f = Math.min(1, Math.max(0, (now - win.releaseAt) / Math.max(1, sendBy - win.releaseAt)))
  const { lowPercentile: lo, highPercentile: hi, shape } = cfg.deadline
  const q = lo + (hi - lo) * f ** shape
  const threshold = snapshotPercentile(gas, q)
  if (threshold === null) return { action: 'run', code: 'ok', reason: nearText }
  if (fee <= threshold) {
    return {
      action: 'run',
      code: 'ok',
      reason: `base fee ${gwei(fee)} <= p${q.toFixed(0)} of the recent window (${gwei(threshold)})`,
    }
  }
  return recheck(
    'gas_wait_percentile',
    `waiting for base fee <= p${q.toFixed(0)} of the recent window (${gwei(threshold)}), now ${gwei(fee)}`,
    sendBy,
  )
}

/**
 * The pure core of `scheduler.scheduleDynamically(marketData, riskAssessment)`: returns the dispatch gate
 * the scheduler consults before each due run until the next market tick replaces it.
 */
export function scheduleDynamically(
  market: MarketData,
  risk: Pick<RiskAssessment, 'circuitBreaker' | 'volatility'>,
  cfg: DynamicPolicyConfig,
): (run: DueRun, now?: number) => GateDecision {
  return (run, now) => decideDispatch(run, now === undefined ? market : { ...market, now }, risk, cfg)
}
