// Statistics of the gas oracle's window that time deadline jobs: trend, decorrelation and the detrended spread.
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
  /** Lag (blocks) at which the detrended autocorrelation falls to 1/e: blocks closer than this are one draw. */
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

/** The lag at which the autocorrelation of `r` first drops below 1/e (interpolated), capped at a quarter of n. */
function decorrelationLag(r: Float64Array, sumSq: number): number {
  const n = r.length
  const cap = Math.max(1, Math.floor(n / 4))
  if (sumSq <= 0) return 1
  const target = Math.exp(-1)
  let prevLag = 0
  let prevRho = 1
  for (let lag = 1; lag <= cap; lag *= 2) {
    let s = 0
    for (let i = 0; i + lag < n; i++) s += r[i]! * r[i + lag]!
    const rho = s / sumSq
    if (rho < target) {
      const t = (prevRho - target) / Math.max(1e-12, prevRho - rho)
      return Math.max(1, prevLag + t * (lag - prevLag))
    }
    prevLag = lag
    prevRho = rho
  }
  return cap
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
  return {
    blockMs,
    spanBlocks: x[n - 1]! + 1,
    trendPerBlock: fit.slope,
    decorrelationBlocks: decorrelationLag(r, sumSq),
    quantiles,
  }
}

/** Least-squares line through (x, y) from index `from` to the end. */
function lineFit(x: Float64Array, y: Float64Array, from: number): { slope: number; mx: number; my: number } {
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
  return { slope: sxx > 0 ? sxy / sxx : 0, mx, my }
}
