// Replays a trace through the real CentralScheduler: test clock, SQLite store, gas oracle refreshed block by block.
import { createCentralScheduler } from '../../src/bot/central-scheduler.ts'
import type { DynamicPolicyConfig } from '../../src/bot/dynamic-policy.ts'
import type { RiskAssessment } from '../../src/risk/assessment.ts'
import { createGasOracle } from '../../src/risk/gas-oracle.ts'
import type { RiskManager } from '../../src/risk/risk-manager.ts'
import { createScheduler, createTestClock } from '../../src/scheduler/index.ts'
import { createSqliteSchedulerStore } from '../../src/store/sqlite-scheduler-store.ts'
import type { BenchJob } from './jobs.ts'
import { calmRisk, oracleConfig } from './policy-setup.ts'
import type { Outcome } from './score.ts'
import { traceClient, type TraceMarket } from './trace-market.ts'

/** What one replay through the scheduler produced. */
export interface SchedulerReplay {
  outcomes: Map<string, Outcome>
  /** The skip reason of each missed job. */
  missedReasons: Map<string, string>
  /** `bot explain`'s reasons for one job while the gate was holding it back (the first one found). */
  sampleExplain: string | null
  gateCalls: number
}

/**
 * Adds every job as a one-shot date job (released at its release time, deadline window in its metadata), then
 * moves the scheduler's test clock to each block's time, refreshes the oracle through an eth_feeHistory client
 * over the trace, and installs the new market with scheduleDynamically, which re-asks the gate about delayed runs.
 */
export async function replayThroughScheduler(
  m: TraceMarket,
  jobs: readonly BenchJob[],
  policy: DynamicPolicyConfig,
): Promise<SchedulerReplay> {
  const clock = createTestClock(m.blocks[0]!.timestamp * 1000)
  let head = -1
  const oracle = createGasOracle({ config: oracleConfig(), client: traceClient(m.blocks, () => head), now: clock.now })
  let latest: RiskAssessment | null = null
  // The bench's risk manager: the oracle's last refresh with a calm market (deadline jobs are never thinned).
  const risk: RiskManager = { assessCurrentRisk: async () => latest!, latest: () => latest }
  const facade = createCentralScheduler({ risk, policy, now: clock.now, maxViewAgeMs: 10 * 60_000 })
  let gateCalls = 0
  const store = createSqliteSchedulerStore({ path: ':memory:', writerThread: false })
  const sched = createScheduler({
    store,
    clock,
    maxConcurrentJobs: 64,
    random: () => 0.5,
    gate: (input) => {
      gateCalls++
      return facade.gate(input)
    },
  })
  facade.bind(sched)
  const outcomes = new Map<string, Outcome>()
  const missedReasons = new Map<string, string>()
  sched.registerTask({ type: 'bench_send', handler: async ({ jobId }) => void outcomes.set(jobId, { sent: head }) })
  sched.on('skipped', ({ jobId, reason }) => {
    outcomes.set(jobId, { missed: true })
    missedReasons.set(jobId, reason)
  })
  for (const j of jobs) {
    sched.addJob({
      id: j.id,
      taskType: 'bench_send',
      trigger: { type: 'date', at: j.releaseAt },
      maxRetries: 0,
      metadata: { chainId: 1, gasSensitive: true, deadlineWindow: { releaseAt: j.releaseAt, deadline: j.deadline } },
    })
  }
  await sched.start()
  let sampleExplain: string | null = null
  for (let b = 0; b < m.blocks.length - 1; b++) {
    const at = m.blocks[b]!.timestamp * 1000
    if (at > clock.now()) await clock.advance(at - clock.now())
    head = b
    // The trace has no history before its first block, which eth_feeHistory would be asked for: that one is ingested.
    if (b === 0) oracle.ingest([m.blocks[0]!], m.blocks[1]!.baseFeePerGas)
    const snap = b === 0 ? oracle.snapshot() : await oracle.refresh()
    latest = {
      at,
      riskScore: 0,
      circuitBreaker: calmRisk.circuitBreaker,
      reasons: [],
      gas: { 1: snap },
      volatility: calmRisk.volatility,
      prices: [],
    }
    facade.scheduleDynamically({ now: at, gas: latest.gas }, latest)
    await clock.settle()
    if (sampleExplain === null && b % 500 === 0) sampleExplain = explainOneWaiting(sched, jobs, at)
  }
  await sched.stop()
  store.close?.()
  return { outcomes, missedReasons, sampleExplain, gateCalls }
}

function explainOneWaiting(
  sched: ReturnType<typeof createScheduler>,
  jobs: readonly BenchJob[],
  at: number,
): string | null {
  const j = jobs.find((x) => x.releaseAt < at && x.deadline > at + 3_600_000)
  if (!j) return null
  const text = sched.explain(j.id).reasons.find((r) => r.includes('gas_wait_'))
  return text ? `${j.id}: ${text}` : null
}
