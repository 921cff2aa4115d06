// Scores job outcomes of one draw against two baselines: sending at the due time (naive) and the best block (oracle).
import type { BenchJob } from './jobs.ts'
import type { TraceMarket } from './trace-market.ts'

/** How a job ended: sent while block `head` was the newest (it lands in head + 1), or missed at its deadline. */
export type Outcome = { sent: number } | { missed: true }

/** Sums in wei·gas over one draw of jobs, and the ratios the bench prints. */
export interface DrawScore {
  paid: bigint
  naive: bigint
  best: bigint
  missed: number
  vsOracle: number
  vsNaive: number
}

/**
 * Index of the oracle's head when a timer fires at `ms`: the newest block strictly before `ms` (the bench feeds a
 * block after the timers due at its timestamp have fired); -1 before the first block.
 */
export function headBefore(m: TraceMarket, ms: number): number {
  let lo = -1
  let hi = m.blocks.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (m.blocks[mid]!.timestamp * 1000 < ms) lo = mid
    else hi = mid - 1
  }
  return lo
}

const landing = (m: TraceMarket, head: number): bigint =>
  m.blocks[Math.min(head + 1, m.blocks.length - 1)]!.baseFeePerGas

/**
 * Scores one draw. Every job counts in all three sums: a missed job pays the base fee of the first block after its
 * deadline; the baselines pay, among the blocks a job could be sent in (heads from its release to its deadline)
 * whose fee is within the cap, the first one (naive) and the cheapest (oracle).
 */
export function scoreDraw(
  m: TraceMarket,
  jobs: readonly BenchJob[],
  outcomes: ReadonlyMap<string, Outcome>,
): DrawScore {
  let paid = 0n
  let naive = 0n
  let best = 0n
  let missed = 0
  for (const j of jobs) {
    const first = headBefore(m, j.releaseAt)
    const last = headBefore(m, j.deadline)
    let firstOk: bigint | null = null
    let min: bigint | null = null
    for (let h = first; h <= last; h++) {
      const f = landing(m, h)
      if (f > m.cap) continue
      firstOk ??= f
      if (min === null || f < min) min = f
    }
    const atDeadline = landing(m, last + 1)
    naive += (firstOk ?? atDeadline) * j.gas
    best += (min ?? atDeadline) * j.gas
    const o = outcomes.get(j.id)
    if (o && 'sent' in o) paid += landing(m, o.sent) * j.gas
    else {
      missed++
      paid += atDeadline * j.gas
    }
  }
  const ratio = (a: bigint, b: bigint) => (b === 0n ? 0 : Number((a * 1_000_000n) / b) / 1_000_000)
  return { paid, naive, best, missed, vsOracle: ratio(paid, best), vsNaive: ratio(paid, naive) }
}

/** Median of a list of numbers (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
