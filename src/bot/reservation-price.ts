// The deadline rule's reservation price: the optimal-stopping value of the independent draws left, moved by the trend.
import type { GasTiming } from '../risk/gas-timing.ts'

/**
 * Settings of the reservation rule (optimal stopping with a deadline). Two numbers, both with a theory value:
 * `decorrelationScale` 1 counts one independent draw per integrated autocorrelation time (the effective sample
 * size); `trendWeight` 1 lets the measured trend carry on, 0 ignores it.
 */
export interface ReservationConfig {
  decorrelationScale: number
  trendWeight: number
}

/** The settings the fee bench (bench/fees.bench.ts) picks on every shipped base-fee trace; see src/bot/README.md. */
export const DEFAULT_RESERVATION: ReservationConfig = { decorrelationScale: 0.5, trendWeight: 1 }

/**
 * What a missed deadline costs in the stopping problem, in multiples of the cap: a draw above the cap cannot be
 * taken, and ending the window above it misses the job. Not tuned: any value well above 1 makes the rule send
 * within the cap while the window's fees, moved by the trend, often exceed it; the fee bench misses no deadline
 * with 10, where the cap-blind rule missed some.
 */
const MISS_COST_CAPS = 10

/** The rule's numbers for one decision, kept for the reason text. */
export interface ReservationReading {
  /** Send when the fee a transaction pays now is at or below this (wei). */
  price: bigint
  /** Independent draws left before the send-by time. */
  draws: number
  /** Trend of the base fee as a fraction per hour (−0.09 = −9 %/h). */
  trendPerHour: number
  /** Its standard error in the same unit: a trend within about one error of 0 barely moves the price. */
  trendErrorPerHour: number
}

/**
 * The reservation price for a job that must be sent within `msLeft`: the value of waiting under optimal stopping
 * with the independent draws left, each drawn from the window's base fees moved by the trend to the mean time of
 * those draws (looking no further ahead than the span the trend was measured on). Draws above `capBaseFee` (the
 * cap less the tip) cannot be taken and a window that ends above it costs MISS_COST_CAPS caps, so the price rises
 * toward the cap when fees near it are common. Sending at or below the price is optimal; waiting above it is too.
 * Returns null when the statistics give no finite price (the caller falls back).
 */
export function reservationPrice(
  t: GasTiming,
  msLeft: number,
  cfg: ReservationConfig,
  capBaseFee = Number.POSITIVE_INFINITY,
): ReservationReading | null {
  if (!(t.blockMs > 0) || !(t.decorrelationBlocks > 0) || !(cfg.decorrelationScale > 0)) return null
  const blocksLeft = Math.max(0, msLeft) / t.blockMs
  const draws = blocksLeft / (cfg.decorrelationScale * t.decorrelationBlocks)
  const shift = Math.min(blocksLeft, t.spanBlocks) / 2
  // The trend is believed in proportion to its significance: weight z^2 / (1 + z^2) for a slope z errors from 0.
  const z2 = t.trendError > 0 ? (t.trendPerBlock / t.trendError) ** 2 : Number.POSITIVE_INFINITY
  const belief = Number.isFinite(z2) ? z2 / (1 + z2) : 1
  const move = Math.exp(cfg.trendWeight * belief * t.trendPerBlock * shift)
  const value = stoppingValue(
    t.quantiles.map((x) => x * move),
    draws,
    capBaseFee,
  )
  if (!Number.isFinite(value) || value <= 0) return null
  return {
    price: BigInt(Math.floor(value)),
    draws,
    trendPerHour: Math.expm1(t.trendPerBlock * (3_600_000 / t.blockMs)),
    trendErrorPerHour: t.trendError * (3_600_000 / t.blockMs),
  }
}

/**
 * Expected cost under optimal stopping when `k` independent draws from the equally likely values `xs` are left
 * and the last one must be taken: V_0 = E[X], V_j = E[min(X, V_(j-1))]; fractional k interpolates linearly.
 * Values above `cap` cannot be taken (they leave V_(j-1)) and cost MISS_COST_CAPS caps as the last draw.
 * V_k falls with k, toward the smallest value.
 */
export function stoppingValue(xs: readonly number[], k: number, cap = Number.POSITIVE_INFINITY): number {
  const m = xs.length
  if (m === 0) return Number.NaN
  const step = (v: number) => {
    let s = 0
    for (const x of xs) s += x < v && x <= cap ? x : v
    return s / m
  }
  let v = xs.reduce((a, x) => a + (x <= cap ? x : MISS_COST_CAPS * cap), 0) / m
  const whole = Math.floor(Math.max(0, k))
  for (let j = 0; j < whole; j++) {
    const next = step(v)
    if (next === v) break // reached the smallest value: more draws change nothing
    v = next
  }
  const frac = Math.max(0, k) - whole
  return frac > 0 ? v + (step(v) - v) * frac : v
}
