// A fast replay of the same gate decisions without the scheduler (same events, same oracle): tuning and comparisons.
import { decideDispatch, type DueRun, type DynamicPolicyConfig } from '../../src/bot/dynamic-policy.ts'
import { createGasOracle, type GasSnapshot } from '../../src/risk/gas-oracle.ts'
import type { BenchJob } from './jobs.ts'
import { calmRisk, oracleConfig } from './policy-setup.ts'
import { headBefore, type Outcome } from './score.ts'
import type { TraceMarket } from './trace-market.ts'

/** The oracle's snapshot at every head block, fed block by block (ingest with the next base fee, as a node reports). */
export function snapshotsOf(m: TraceMarket): GasSnapshot[] {
  let clock = 0
  const oracle = createGasOracle({ config: oracleConfig(), now: () => clock })
  const out: GasSnapshot[] = []
  for (let b = 0; b < m.blocks.length - 1; b++) {
    const s = m.blocks[b]!
    clock = s.timestamp * 1000
    oracle.ingest([s], m.blocks[b + 1]!.baseFeePerGas)
    out.push(oracle.snapshot())
  }
  return out
}

/** The dispatch gate's input for a bench job, as toDueRun builds it from the job's metadata. */
export function dueRunOf(j: BenchJob): DueRun {
  return {
    jobId: j.id,
    chainId: 1,
    dueAt: j.releaseAt,
    gasSensitive: true,
    critical: false,
    deadlineWindow: { releaseAt: j.releaseAt, deadline: j.deadline },
  }
}

/**
 * Decides each job at the moments the scheduler asks the gate: at release, at each new block (the market tick
 * re-checks delayed runs) and at each delay's wake-up time between blocks.
 */
export function replayDirect(
  m: TraceMarket,
  snaps: readonly GasSnapshot[],
  jobs: readonly BenchJob[],
  cfg: DynamicPolicyConfig,
): Map<string, Outcome> {
  const out = new Map<string, Outcome>()
  const last = snaps.length - 1
  for (const j of jobs) {
    const run = dueRunOf(j)
    let t = j.releaseAt
    let head = headBefore(m, t)
    for (;;) {
      const d = decideDispatch(run, { now: t, gas: { 1: snaps[head]! } }, calmRisk, cfg)
      if (d.action === 'run') {
        out.set(j.id, { sent: head })
        break
      }
      if (d.action !== 'delay') {
        out.set(j.id, { missed: true })
        break
      }
      const nextBlock = head < last ? m.blocks[head + 1]!.timestamp * 1000 : Infinity
      if (d.until <= nextBlock) t = d.until
      else if (head < last) {
        head++
        t = nextBlock
      } else {
        out.set(j.id, { missed: true })
        break
      }
    }
  }
  return out
}
