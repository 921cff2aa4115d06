// The pure dispatch decision: caps, max delay, critical cap, deadline windows, thinning and breaker holds.
import { describe, expect, it } from 'vitest'
import {
  decideDispatch,
  interpolatePercentile,
  scheduleDynamically,
  snapshotPercentile,
  type DueRun,
  type DynamicPolicyConfig,
} from '../../src/bot/dynamic-policy.ts'
import type { BreakerStatus } from '../../src/risk/circuit-breaker.ts'
import type { VolatilityReading } from '../../src/risk/volatility.ts'
import { at, calm, CFG, closed, G, gas, MIN, risk, swap, T0 } from '../../src/bot/dynamic-policy-fixtures.ts'

const wild: VolatilityReading = { ...calm, level: 'high', value: 2.1 }

describe('decideDispatch: caps and delays', () => {
  it('runs within the cap (base fee + tip), delays above it, and skips as missed after maxDelay', () => {
    expect(decideDispatch(swap, at(T0, gas(49n)), risk, CFG)).toMatchObject({ action: 'run', code: 'ok' })
    const d = decideDispatch(swap, at(T0, gas(50n)), risk, CFG) // 50 + 1 tip > 50
    expect(d).toEqual({
      action: 'delay',
      code: 'gas_above_cap',
      until: T0 + MIN,
      reason: 'gas 51.00 gwei above cap 50.00 gwei; re-checking until it normalizes or its max delay of 1800 s',
    })
    expect(decideDispatch(swap, at(T0 + 29.5 * MIN, gas(90n)), risk, CFG)).toMatchObject({
      action: 'delay',
      until: T0 + 30 * MIN,
    })
    expect(decideDispatch(swap, at(T0 + 30 * MIN, gas(90n)), risk, CFG)).toMatchObject({
      action: 'skip',
      code: 'missed',
      reason: expect.stringMatching(/^missed: gas 91.00 gwei stayed above cap 50.00 gwei/),
    })
    // the next base fee, when the node reports it, is what a transaction sent now pays
    expect(decideDispatch(swap, at(T0, gas(45n, { nextBaseFee: 55n * G })), risk, CFG).action).toBe('delay')
  })

  it('uses the per-job cap and the higher critical cap; the hard cap binds only non-critical jobs', () => {
    expect(decideDispatch({ ...swap, maxGasPrice: 80n * G }, at(T0, gas(70n)), risk, CFG).action).toBe('run')
    expect(decideDispatch({ ...swap, maxGasPrice: 500n * G }, at(T0, gas(250n)), risk, CFG)).toMatchObject({
      action: 'delay',
      reason: expect.stringContaining('cap 200.00 gwei'),
    })
    expect(decideDispatch({ ...swap, critical: true }, at(T0, gas(100n)), risk, CFG)).toMatchObject({
      action: 'run',
      reason: 'gas 101.00 gwei within critical cap 120.00 gwei',
    })
    expect(
      decideDispatch({ ...swap, critical: true, criticalMaxGasPrice: 300n * G }, at(T0, gas(250n)), risk, CFG).action,
    ).toBe('run')
  })

  it('never treats stale or unavailable gas as cheap', () => {
    const stale = gas(1n, { status: 'stale', reason: 'head block is 300 s old' })
    expect(decideDispatch(swap, at(T0, stale), risk, CFG)).toMatchObject({
      action: 'delay',
      code: 'gas_unknown',
      reason: expect.stringContaining('stale: head block is 300 s old'),
    })
    expect(decideDispatch(swap, { now: T0, gas: {} }, risk, CFG)).toMatchObject({
      action: 'delay',
      code: 'gas_unknown',
    })
    expect(decideDispatch(swap, at(T0 + 31 * MIN, stale), risk, CFG)).toMatchObject({ action: 'skip', code: 'missed' })
    expect(decideDispatch({ ...swap, gasSensitive: false }, at(T0, stale), risk, CFG).action).toBe('run')
  })
})

describe('decideDispatch: deadline windows', () => {
  const win = { ...swap, deadlineWindow: { releaseAt: T0, deadline: T0 + 110 * MIN } } // send-by at +100 min
  it('waits for a low percentile early, accepts a higher one later, and sends near the deadline', () => {
    expect(decideDispatch(win, at(T0 - MIN, gas(5n)), risk, CFG)).toMatchObject({
      action: 'delay',
      code: 'not_released',
      until: T0,
    })
    expect(decideDispatch(win, at(T0, gas(21n)), risk, CFG)).toMatchObject({
      action: 'delay',
      code: 'gas_wait_percentile',
    })
    expect(decideDispatch(win, at(T0, gas(20n)), risk, CFG)).toMatchObject({
      action: 'run',
      reason: 'base fee 20.00 gwei <= p10 of the recent window (20.00 gwei)',
    })
    // halfway (f = 0.5): p30 = 25 + (30-25) * 5/25 = 26 gwei
    expect(decideDispatch(win, at(T0 + 50 * MIN, gas(26n)), risk, CFG).action).toBe('run')
    expect(decideDispatch(win, at(T0 + 50 * MIN, gas(27n)), risk, CFG).action).toBe('delay')
    // inside the safety margin: any fee within the cap
    expect(decideDispatch(win, at(T0 + 100 * MIN, gas(45n)), risk, CFG)).toMatchObject({
      action: 'run',
      reason: expect.stringMatching(/^deadline near/),
    })
    // above the cap at the deadline: missed, never sent above the cap
    expect(decideDispatch(win, at(T0 + 105 * MIN, gas(80n)), risk, CFG)).toMatchObject({
      action: 'delay',
      until: T0 + 106 * MIN,
    })
    expect(decideDispatch(win, at(T0 + 110 * MIN, gas(80n)), risk, CFG)).toMatchObject({
      action: 'skip',
      code: 'missed',
    })
  })

  it('uses the 21-point quantile table when the snapshot has one (finer than p10)', () => {
    const quantiles = Array.from({ length: 21 }, (_, i) => BigInt(10 + i) * G) // p0 = 10 gwei ... p100 = 30 gwei
    const g = (base: bigint) => gas(base, { quantiles })
    const early = { ...win, deadlineWindow: { releaseAt: T0, deadline: T0 + 110 * MIN } }
    const cfg = { ...CFG, deadline: { ...CFG.deadline, lowPercentile: 2.5 } }
    expect(snapshotPercentile({ percentiles: null, quantiles }, 2.5)).toBe(10_500_000_000n)
    expect(decideDispatch(early, at(T0, g(11n)), risk, cfg).action).toBe('delay')
    expect(decideDispatch(early, at(T0, { ...g(10n), baseFee: 10_500_000_000n }), risk, cfg).action).toBe('run')
  })

  it('interpolates percentiles between the oracle points', () => {
    const p = { p10: 10n, p25: 25n, p50: 50n, p90: 130n }
    expect([0, 10, 17.5, 25, 40, 70, 90, 100].map((q) => interpolatePercentile(p, q))).toEqual([
      10n,
      10n,
      17n,
      25n,
      40n,
      90n,
      130n,
      130n,
    ])
  })
})

describe('decideDispatch: volatility thinning and the breaker', () => {
  const claim: DueRun = { ...swap, jobId: 'claim', recurring: { intervalMs: 10 * MIN, occurrence: 0 } }
  it('keeps one occurrence in `factor` of recurring gas-sensitive jobs while volatility is high', () => {
    const high = { circuitBreaker: closed, volatility: wild }
    const decisions = [0, 1, 2, 3, 4, 5].map((occurrence) =>
      decideDispatch({ ...claim, recurring: { intervalMs: 10 * MIN, occurrence } }, at(T0, gas(30n)), high, CFG),
    )
    expect(decisions.map((d) => d.action)).toEqual(['run', 'skip', 'skip', 'run', 'skip', 'skip'])
    expect(decisions[1]).toEqual({
      action: 'skip',
      code: 'thinned',
      reason: 'thinned: volatility high (210 %), interval stretched x3; occurrence 1 skipped',
    })
    // calm again: every run goes; critical or non-gas-sensitive recurring jobs are never thinned
    expect(
      decideDispatch({ ...claim, recurring: { intervalMs: 10 * MIN, occurrence: 1 } }, at(T0, gas(30n)), risk, CFG)
        .action,
    ).toBe('run')
    expect(
      decideDispatch(
        { ...claim, critical: true, recurring: { intervalMs: 10 * MIN, occurrence: 1 } },
        at(T0, gas(30n)),
        high,
        CFG,
      ).action,
    ).toBe('run')
    expect(
      decideDispatch(
        { ...claim, gasSensitive: false, recurring: { intervalMs: 10 * MIN, occurrence: 1 } },
        at(T0, gas(30n)),
        high,
        CFG,
      ).action,
    ).toBe('run')
    // skip-every mode, occurrence derived from dueAt when the scheduler does not count
    const skipEvery = { ...CFG, thinning: { mode: 'skip-every' as const, k: 2 } }
    const byTime = [0, 1, 2, 3].map(
      (i) =>
        decideDispatch(
          { ...claim, dueAt: i * 10 * MIN, recurring: { intervalMs: 10 * MIN } },
          at(T0, gas(30n)),
          high,
          skipEvery,
        ).action,
    )
    expect(byTime).toEqual(['run', 'skip', 'run', 'skip'])
  })

  it('holds every non-critical job while the breaker is open, and lets critical ones through', () => {
    const open: BreakerStatus = {
      state: 'open',
      causes: [{ kind: 'consecutive_failures', detail: '3 job failures in a row (limit 3)' }],
      openedAt: T0,
      resetEligibleAt: T0 + MIN,
      manualHalt: null,
    }
    const r = { circuitBreaker: open, volatility: calm }
    expect(decideDispatch({ ...swap, gasSensitive: false }, at(T0, gas(10n)), r, CFG)).toEqual({
      action: 'hold',
      code: 'breaker_open',
      reason: 'circuit breaker open (3 job failures in a row (limit 3)); non-critical jobs wait for its reset',
    })
    expect(decideDispatch({ ...swap, critical: true }, at(T0, gas(10n)), r, CFG).action).toBe('run')
  })

  it('scheduleDynamically returns a gate bound to the latest market and risk', () => {
    const gate = scheduleDynamically(at(T0, gas(70n)), risk, CFG)
    expect(gate(swap).action).toBe('delay')
    expect(gate({ ...swap, maxGasPrice: 100n * G }).action).toBe('run')
    expect(gate(swap, T0 + 31 * MIN).action).toBe('skip')
  })
})
