// Statistics of the gas oracle window that time deadline jobs: trend and its error, autocorrelation time, quantiles.
import type { FeeSample } from './gas-oracle.ts'

/** How many quantiles a timing summary carries (midpoints of equal-probability bins). */
export const QUANTILE_POINTS = 64

/** What the deadline rule needs to know about the recent base-fee process. */
export interface GasTiming {
  /** Mean time between blocks in ms, from the timestamped samples of the window. */
  blockMs: number
  /** Blocks in the window the statistics come from. */
  spanBlocks: number
  /** Least-squares slope of ln(base fee) per block over the window (−0.0001/block ≈ −3 %/h at 12 s blocks). */
  trendPerBlock: number
  /**
   * Standard error of that slope, from the residual spread and the effective number of independent samples
   * (samples over the integrated autocorrelation time): a trend several errors from 0 is real, one within an
   * error is noise.
   */
  trendError: number
  /** Integrated autocorrelation time (blocks) of the detrended ln(base fee): b blocks hold b / this independent draws. */
  decorrelationBlocks: number
  /** Sorted base fees of the window (wei, as numbers) at the midpoints of 64 equal-probability bins. */
  quantiles: number[]
}

/** Fewer samples than this give no usable trend or autocorrelation. */
const MIN_SAMPLES = 64

/** Mean block interval in ms from the samples that carry a timestamp (the head of each refresh). */
function blockInterval(samples: readonly FeeSample[]): number | null {
  let first: FeeSample | undefined
  let last: FeeSample | undefined
  for (const s of samples) {
    if (s.timestamp === undefined) continue
    first ??= s
    last = s
  }
  if (!first || !last || last.blockNumber <= first.blockNumber || last.timestamp! <= first.timestamp!) return null
  return ((last.timestamp! - first.timestamp!) * 1000) / Number(last.blockNumber - first.blockNumber)
}

/**
 * Integrated autocorrelation time of `r` in blocks, tau = 1 + 2 * sum of rho(lag): n correlated blocks carry about
 * n / tau independent draws (the effective sample size). rho is measured at lags 1, 2, 4, ... (a few passes, not
 * one per lag) and integrated with the trapezoid rule, tau ~ 2 * integral of rho; the sum stops where rho first
 * falls to zero (beyond that it is noise), once the lag passes 5 tau (Sokal's window), or at a quarter of n.
 */
function integratedTime(r: Float64Array, sumSq: number): number {
  const n = r.length
  const cap = Math.max(1, Math.floor(n / 4))
  if (sumSq <= 0) return 1
  let area = 0
  let prevLag = 0
  let prevRho = 1
  for (let lag = 1; lag <= cap; lag *= 2) {
    let s = 0
    for (let i = 0; i + lag < n; i++) s += r[i]! * r[i + lag]!
    const rho = s / sumSq
    if (rho <= 0) {
      // integrate the last segment down to its zero crossing only
      area += (prevRho / 2) * ((prevRho / Math.max(1e-12, prevRho - rho)) * (lag - prevLag))
      return Math.max(1, 2 * area)
    }
    area += ((prevRho + rho) / 2) * (lag - prevLag)
    prevLag = lag
    prevRho = rho
    if (lag >= 10 * area) break
  }
  return Math.min(cap, Math.max(1, 2 * area))
}

/**
 * Summarizes a window of fee samples (oldest first) for the deadline rule; null when the window is too short
 * or no block interval is known, so the caller falls back to plain percentiles rather than guess.
 */
export function computeGasTiming(samples: readonly FeeSample[]): GasTiming | null {
  const n = samples.length
  if (n < MIN_SAMPLES) return null
  const blockMs = blockInterval(samples)
  if (blockMs === null) return null
  const base = samples[0]!.blockNumber
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const s = samples[i]!
    x[i] = Number(s.blockNumber - base)
    y[i] = Math.log(Number(s.baseFeePerGas > 0n ? s.baseFeePerGas : 1n))
  }
  const fit = lineFit(x, y, 0)
  const r = new Float64Array(n)
  let sumSq = 0
  for (let i = 0; i < n; i++) {
    r[i] = y[i]! - (fit.my + fit.slope * (x[i]! - fit.mx))
    sumSq += r[i]! ** 2
  }
  const sorted = Array.from(y).sort((a, b) => a - b)
  const quantiles = Array.from({ length: QUANTILE_POINTS }, (_, i) =>
    Math.exp(sorted[Math.min(n - 1, Math.floor(((i + 0.5) / QUANTILE_POINTS) * n))]!),
  )
  const tau = integratedTime(r, sumSq)
  return {
    blockMs,
    spanBlocks: x[n - 1]! + 1,
    trendPerBlock: fit.slope,
    trendError: fit.sxx > 0 ? Math.sqrt(((sumSq / n) * tau) / fit.sxx) : Number.POSITIVE_INFINITY,
    decorrelationBlocks: tau,
    quantiles,
  }
}

/** Least-squares line through (x, y) from index `from` to the end. */
function lineFit(
  x: Float64Array,
  y: Float64Array,
  from: number,
): { slope: number; mx: number; my: number; sxx: number } {
  const n = x.length - from
  let mx = 0
  let my = 0
  for (let i = from; i < x.length; i++) {
    mx += x[i]!
    my += y[i]!
  }
  mx /= n
  my /= n
  let sxx = 0
  let sxy = 0
  for (let i = from; i < x.length; i++) {
    sxx += (x[i]! - mx) ** 2
    sxy += (x[i]! - mx) * (y[i]! - my)
  }
  return { slope: sxx > 0 ? sxy / sxx : 0, mx, my, sxx }
}
