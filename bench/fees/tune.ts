// Parameter search for the reservation rule: a small grid, each point scored by its median ratio to the oracle.
import type { DynamicPolicyConfig } from '../../src/bot/dynamic-policy.ts'
import type { ReservationConfig } from '../../src/bot/reservation-price.ts'
import type { GasSnapshot } from '../../src/risk/gas-oracle.ts'
import { replayDirect } from './direct-replay.ts'
import type { BenchJob } from './jobs.ts'
import { policyFor } from './policy-setup.ts'
import { median, scoreDraw } from './score.ts'
import type { TraceMarket } from './trace-market.ts'

/** A trace with its precomputed snapshots and the job draws it is tuned on. */
export interface TuningSet {
  market: TraceMarket
  snaps: GasSnapshot[]
  draws: BenchJob[][]
}

/**
 * The grid: one independent draw per half, one (theory: the effective sample size) or two integrated
 * autocorrelation times, and the trend ignored, half or fully carried on. Kept coarse on purpose: the rule must
 * hold on days it was not tuned for.
 */
export const GRID: ReservationConfig[] = [0.5, 1, 2].flatMap((decorrelationScale) =>
  [0, 0.5, 1].map((trendWeight) => ({ decorrelationScale, trendWeight })),
)

/** Median ratio to the oracle over the draws of one set, a missed deadline costing as the scoring says. */
export function medianVsOracle(
  set: TuningSet,
  r: ReservationConfig,
  base: DynamicPolicyConfig,
): { ratio: number; missed: number } {
  const cfg = policyFor(set.market.cap, r, base)
  const scores = set.draws.map((jobs) => scoreDraw(set.market, jobs, replayDirect(set.market, set.snaps, jobs, cfg)))
  return { ratio: median(scores.map((s) => s.vsOracle)), missed: scores.reduce((n, s) => n + s.missed, 0) }
}
