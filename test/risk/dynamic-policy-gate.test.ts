// The gate adapter: job metadata -> DueRun, fail-closed holds for missing/old assessments and bad metadata.
import { describe, expect, it } from 'vitest'
import { createDynamicGate, toDueRun } from '../../src/bot/dynamic-policy-gate.ts'
import type { DynamicPolicyConfig } from '../../src/bot/dynamic-policy.ts'
import type { RiskAssessment } from '../../src/risk/assessment.ts'

const G = 1_000_000_000n
const T0 = Date.UTC(2026, 0, 5, 12)
const CFG: DynamicPolicyConfig = {
  maxGasPrice: 50n * G, criticalMaxGasPrice: 120n * G, hardMaxGasPrice: 200n * G, maxDelayMs: 1_800_000, recheckMs: 60_000,
  deadline: { lowPercentile: 10, highPercentile: 50, shape: 1, safetyMs: 600_000 }, thinning: { mode: 'stretch', factor: 2 },
}
function assessment(baseGwei: bigint, over: Partial<RiskAssessment> = {}): RiskAssessment {
  return {
    at: T0, riskScore: 10, reasons: [], prices: [],
    circuitBreaker: { state: 'closed', causes: [], openedAt: null, resetEligibleAt: null, manualHalt: null },
    volatility: { level: 'low', value: 0.3, returns: 240, warmedUp: true, since: null, at: null },
    gas: { 10: { chainId: 10, status: 'fresh', reason: null, baseFee: baseGwei * G, nextBaseFee: null, priorityFee: 0n,
      percentiles: { p10: 20n * G, p25: 25n * G, p50: 30n * G, p90: 60n * G }, quantiles: null, samples: 300, latestBlock: 1n, latestBlockTime: T0 / 1000, lastUpdateAt: T0 } },
    ...over,
  }
}
const input = (metadata: Record<string, unknown>) => ({ runId: 'r1', jobId: 'swap', scheduledFor: T0, metadata })

describe('dynamic gate adapter', () => {
  it('maps metadata.risk to a DueRun (wei strings to bigint, relative deadline windows)', () => {
    expect(toDueRun(input({ risk: { chainId: 10, maxGasPriceWei: '70000000000', deadlineWindowMs: 7_200_000, recurringIntervalMs: 600_000 } }), T0)).toEqual({
      jobId: 'swap', chainId: 10, dueAt: T0, gasSensitive: true, critical: false, maxGasPrice: 70n * G,
      deadlineWindow: { releaseAt: T0, deadline: T0 + 7_200_000 }, recurring: { intervalMs: 600_000 },
    })
    expect(toDueRun(input({}), T0)).toBeNull()
    expect(() => toDueRun(input({ risk: { chainId: 10, maxGasPriceWei: '7e10' } }), T0)).toThrow(/metadata.risk.maxGasPriceWei: a decimal wei amount/)
  })

  it('decides from the latest assessment and fails closed without one, with an old one, or on bad metadata', () => {
    let state: { risk: RiskAssessment } | null = null
    let now = T0
    const gate = createDynamicGate({ config: CFG, current: () => state, now: () => now, maxAssessmentAgeMs: 120_000 })
    const swap = input({ risk: { chainId: 10 } })
    expect(gate(swap)).toMatchObject({ action: 'hold', reason: 'no market assessment yet (the market tick has not run)' })
    state = { risk: assessment(70n) }
    expect(gate(swap)).toMatchObject({ action: 'delay', code: 'gas_above_cap', until: T0 + 60_000 })
    expect(gate(input({ risk: { chainId: 10, maxGasPriceWei: String(80n * G) } }))).toMatchObject({ action: 'run' })
    expect(gate(input({}))).toMatchObject({ action: 'run', reason: 'not gas-sensitive' })
    expect(gate(input({ risk: { chainId: 'ten' } }))).toMatchObject({ action: 'hold', reason: expect.stringMatching(/^unreadable risk metadata \(metadata.risk.chainId/) })
    now = T0 + 180_000
    expect(gate(swap)).toMatchObject({ action: 'hold', reason: 'market assessment is 180 s old; the market tick is not running' })
    expect(gate(input({ risk: { chainId: 10, critical: true } }))).toMatchObject({ action: 'run' })
    now = T0
    state = { risk: assessment(10n, { circuitBreaker: { state: 'open', causes: [{ kind: 'manual_halt', detail: 'operator' }], openedAt: T0, resetEligibleAt: null, manualHalt: 'operator' } }) }
    expect(gate(input({}))).toMatchObject({ action: 'hold', code: 'breaker_open' })
  })
})
