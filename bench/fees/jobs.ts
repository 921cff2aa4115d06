// Job draws of the fee bench: deadline-window jobs with 1-4 h windows, reproducible from a seed.
import type { TraceMarket } from './trace-market.ts'

/** One drawn job; times in ms. */
export interface BenchJob {
  id: string
  releaseAt: number
  deadline: number
  /** Gas units, so dearer blocks weigh by what the job actually burns. */
  gas: bigint
}

/** mulberry32, so a draw is reproducible from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Draws `n` jobs released uniformly after the warm-up, each due within 1-4 h and before the trace ends. */
export function drawJobs(m: TraceMarket, seed: number, n: number): BenchJob[] {
  const rand = rng(seed)
  const startS = m.blocks[m.warmup]!.timestamp
  const endS = m.blocks[m.blocks.length - 2]!.timestamp
  const jobs: BenchJob[] = []
  for (let i = 0; i < n; i++) {
    const windowS = Math.round((1 + rand() * 3) * 3600)
    const releaseS = startS + Math.floor(rand() * Math.max(1, endS - windowS - startS))
    jobs.push({
      id: `s${seed}-j${i}`,
      releaseAt: releaseS * 1000,
      deadline: Math.min(endS, releaseS + windowS) * 1000,
      gas: BigInt(100_000 + Math.floor(rand() * 200_000)),
    })
  }
  return jobs
}
