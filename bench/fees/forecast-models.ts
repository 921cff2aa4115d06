// Fee forecasts the forecast study compares: the recent window's distribution, a local level with a damped trend, reversion.
import { headBefore, type Outcome } from './score.ts'
import type { BenchJob } from './jobs.ts'
import type { TraceMarket } from './trace-market.ts'

/** Quantile points of every distribution (midpoints of equal-probability bins), as in the gas oracle's timing. */
const POINTS = 64
/** A window that ends above the cap costs this many caps (the reservation rule's miss cost). */
const MISS_COST_CAPS = 10
/** More draws than this change the value by less than the quantile grid resolves. */
const MAX_DRAWS = 200

/** What the models know at one head block, from the window of log base fees that ends there. */
export interface ModelState {
  blockMs: number
  spanBlocks: number
  /** Least-squares slope of ln(fee) per block over the window and its belief weight z²/(1+z²). */
  olsSlope: number
  olsBelief: number
  /** Integrated autocorrelation time (blocks) of the detrended window: one independent draw per this. */
  tau: number
  /** Sorted ln(fee) of the window at POINTS quantiles. */
  window: number[]
  /** Holt (local linear trend) level and trend of ln(fee) at the head, and the mean of the window. */
  level: number
  trend: number
  mean: number
  /** Sorted ln(fee) − level at POINTS quantiles: the noise around the local level. */
  noise: number[]
}

const quantiles = (xs: Float64Array): number[] => {
  const s = Array.from(xs).sort((a, b) => a - b)
  return Array.from(
    { length: POINTS },
    (_, i) => s[Math.min(s.length - 1, Math.floor(((i + 0.5) / POINTS) * s.length))]!,
  )
}

/** Integrated autocorrelation time of r (lags 1, 2, 4, ...; stops at the first non-positive correlation). */
function integratedTime(r: Float64Array): number {
  const n = r.length
  let sumSq = 0
  for (const v of r) sumSq += v * v
  if (sumSq <= 0) return 1
  let area = 0
  let prevLag = 0
  let prevRho = 1
  for (let lag = 1; lag <= n / 4; lag *= 2) {
    let s = 0
    for (let i = 0; i + lag < n; i++) s += r[i]! * r[i + lag]!
    const rho = s / sumSq
    if (rho <= 0) return Math.max(1, 2 * (area + (prevRho / 2) * (prevRho / (prevRho - rho)) * (lag - prevLag)))
    area += ((prevRho + rho) / 2) * (lag - prevLag)
    prevLag = lag
    prevRho = rho
    if (lag >= 10 * area) break
  }
  return Math.min(n / 4, Math.max(1, 2 * area))
}

/**
 * The models' state at every head block: a window of `windowBlocks` ending at the head, a Holt filter with level
 * and trend time constants `levelBlocks` / `trendBlocks` (trend damped per block by exp(−1/dampBlocks)).
 */
export function modelStates(
  m: TraceMarket,
  p: { windowBlocks: number; levelBlocks: number; trendBlocks: number; dampBlocks: number },
): (ModelState | null)[] {
  const a = 1 - Math.exp(-1 / p.levelBlocks)
  const b = 1 - Math.exp(-1 / p.trendBlocks)
  const phi = Math.exp(-1 / p.dampBlocks)
  const out: (ModelState | null)[] = []
  for (let h = 0; h < m.blocks.length - 1; h++) {
    const from = Math.max(0, h - p.windowBlocks + 1)
    const n = h - from + 1
    if (n < 64) {
      out.push(null)
      continue
    }
    const y = new Float64Array(n)
    for (let i = 0; i < n; i++) y[i] = Math.log(Number(m.blocks[from + i]!.baseFeePerGas))
    let mean = 0
    for (const v of y) mean += v / n
    const mx = (n - 1) / 2
    let sxx = 0
    let sxy = 0
    for (let i = 0; i < n; i++) {
      sxx += (i - mx) ** 2
      sxy += (i - mx) * (y[i]! - mean)
    }
    const slope = sxy / sxx
    const detrended = y.map((v, i) => v - mean - slope * (i - mx))
    const tau = integratedTime(detrended)
    let ss = 0
    for (const v of detrended) ss += v * v
    const z2 = slope ** 2 / (((ss / n) * tau) / sxx)
    let level = y.slice(0, 32).reduce((s, v) => s + v, 0) / 32
    let trend = 0
    const noise = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const prev = level
      level = a * y[i]! + (1 - a) * (level + phi * trend)
      trend = b * (level - prev) + (1 - b) * phi * trend
      noise[i] = y[i]! - level
    }
    out.push({
      blockMs: ((m.blocks[h]!.timestamp - m.blocks[from]!.timestamp) * 1000) / (n - 1),
      spanBlocks: n,
      olsSlope: slope,
      olsBelief: z2 / (1 + z2),
      tau,
      window: quantiles(y),
      level,
      trend,
      mean,
      noise: quantiles(noise),
    })
  }
  return out
}

/** A forecast: the fee values (wei, equally likely) of a draw `horizon` blocks ahead, `left` blocks before send-by. */
export type Forecast = (s: ModelState, horizon: number, left: number) => number[]

/**
 * The value of waiting under optimal stopping when `left / spacing` draws spaced `spacing` blocks apart remain
 * besides the fee at send-by (which must be taken; above the cap it costs MISS_COST_CAPS caps), each draw's
 * distribution depending on its horizon: backward induction V = E[min(X_j, V)] from the last draw to the first.
 * Fractional draw counts interpolate. With a forecast that ignores the horizon this is the shipped rule's
 * `stoppingValue(xs, left / spacing)`.
 */
export function continuationValue(s: ModelState, left: number, spacing: number, f: Forecast, cap: number): number {
  const k = Math.min(MAX_DRAWS, Math.max(0, left) / spacing)
  const run = (draws: number): number => {
    const last = f(s, left, left)
    let v = last.reduce((t, x) => t + (x <= cap ? x : MISS_COST_CAPS * cap), 0) / last.length
    for (let j = draws; j >= 1; j--) {
      const xs = f(s, j * spacing, left)
      v = xs.reduce((t, x) => t + (x < v && x <= cap ? x : v), 0) / xs.length
    }
    return v
  }
  const whole = Math.floor(k)
  const lo = run(whole)
  return k > whole ? lo + (run(whole + 1) - lo) * (k - whole) : lo
}

/**
 * Replays jobs block by block: a job sends at the first head whose next base fee is within the cap and at or
 * below `price` (wei) for the time left, and at any fee within the cap once `safetyMs` before its deadline.
 */
export function replayModel(
  m: TraceMarket,
  jobs: readonly BenchJob[],
  price: (head: number, msLeft: number) => number,
  safetyMs = 300_000,
): Map<string, Outcome> {
  const out = new Map<string, Outcome>()
  const cap = Number(m.cap)
  for (const j of jobs) {
    const sendBy = j.deadline - safetyMs
    let sent: number | null = null
    for (let h = headBefore(m, j.releaseAt); h < m.blocks.length - 1 && sent === null; h++) {
      const t = Math.max(j.releaseAt, m.blocks[h]!.timestamp * 1000)
      if (t >= j.deadline) break
      const fee = Number(m.blocks[h + 1]!.baseFeePerGas)
      if (fee > cap) continue
      // the gate's re-check fires at send-by while this head is the newest
      if (m.blocks[h + 1]!.timestamp * 1000 > sendBy || fee <= price(h, sendBy - t)) sent = h
    }
    out.set(j.id, sent === null ? { missed: true } : { sent })
  }
  return out
}
