// `bot explain` (and the dashboard, which shows the same reasons) names the reservation rule and its numbers.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createCentralScheduler } from '../../src/bot/central-scheduler.ts'
import { explainJob, type StateSource } from '../../src/bot/report-views.ts'
import type { RiskAssessment } from '../../src/risk/assessment.ts'
import { createGasOracle } from '../../src/risk/gas-oracle.ts'
import { readBaseFeeTrace } from '../../src/risk/market-csv.ts'
import type { RiskManager } from '../../src/risk/risk-manager.ts'
import { makeFixture } from '../../src/scheduler/testing/fixture.ts'

const TRACE = join(import.meta.dirname, '../../data/market/eth_basefee_2023-05-03_pepe.csv')

describe('explaining a deadline job held back by the reservation price', () => {
  it('shows the base fee, the reservation price, the independent draws left and the trend', async () => {
    const trace = readBaseFeeTrace(TRACE).slice(0, 700)
    const head = trace[trace.length - 2]!
    let now = head.timestamp * 1000
    const oracle = createGasOracle({
      config: { chainId: 1, windowBlocks: 1024, maxBlockAgeMs: 600_000 },
      now: () => now,
    })
    for (let i = 0; i < trace.length - 1; i++) oracle.ingest([trace[i]!], trace[i + 1]!.baseFeePerGas)
    const gas = oracle.snapshot()
    expect(gas.timing).toBeTruthy()
    const closed = { state: 'closed' as const, causes: [], openedAt: null, resetEligibleAt: null, manualHalt: null }
    const assessment: RiskAssessment = {
      at: now,
      riskScore: 0,
      circuitBreaker: closed,
      reasons: [],
      gas: { 1: gas },
      volatility: { level: 'low', value: null, returns: 0, warmedUp: false, since: null, at: null },
      prices: [],
    }
    const risk: RiskManager = { assessCurrentRisk: async () => assessment, latest: () => assessment }
    const G = 1_000_000_000n
    const facade = createCentralScheduler({
      risk,
      now: () => now,
      policy: {
        maxGasPrice: 500n * G,
        criticalMaxGasPrice: 1000n * G,
        hardMaxGasPrice: 500n * G,
        maxDelayMs: 3_600_000,
        recheckMs: 15_000,
        deadline: {
          lowPercentile: 0,
          highPercentile: 50,
          shape: 2,
          safetyMs: 300_000,
          reservation: { decorrelationScale: 1, trendWeight: 1 },
        },
        thinning: { mode: 'stretch', factor: 2 },
      },
    })
    const f = makeFixture({ gate: facade.gate })
    await f.clock.jump(now - f.clock.now())
    now = f.clock.now()
    facade.bind(f.sched)
    f.sched.registerTask({ type: 'send', handler: async () => null })
    // Four hours left: the reservation price is below this block's fee, so the run waits and says why.
    const window = { releaseAt: now, deadline: now + 4 * 3_600_000 }
    f.sched.addJob({
      id: 'swap',
      taskType: 'send',
      metadata: { chainId: 1, gasSensitive: true, deadlineWindow: window },
    })
    await f.sched.start()
    facade.scheduleDynamically({ now, gas: { 1: gas } }, assessment)
    f.sched.runNow('swap')
    await f.clock.settle()
    const e = explainJob({ scheduler: f.sched } as unknown as StateSource, 'swap')
    const fee = Number(gas.nextBaseFee! / 10_000_000n) / 100
    const gasWait = e.waitingOn.find((w) => w.kind === 'gas')
    expect(gasWait?.detail).toMatch(
      new RegExp(
        `gas_wait_reservation: base fee ${fee.toFixed(2)} gwei; reservation price for the \\d+ ` +
          'independent draws left: \\d+\\.\\d\\d gwei; trend [+-]\\d+ %/h \\(±\\d+ %/h\\); sends at any fee within cap 500\\.00 gwei from ',
      ),
    )
    expect(e.lastDecision).toMatchObject({
      decision: 'delay',
      reason: expect.stringContaining('reservation price for the'),
    })
    await f.sched.stop()
  })
})
