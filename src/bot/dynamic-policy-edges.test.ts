// Dispatch decision edges: exact limits (expiry, deadline), quantile lookups, thinning settings, missing data.
import { describe, expect, it } from 'vitest'
import {
  decideDispatch,
  scheduleDynamically,
  snapshotPercentile,
  type DueRun,
  type DynamicPolicyConfig,
} from './dynamic-policy.ts'
import { at, calm, CFG, closed, G, gas, MIN, risk, swap, T0 } from './dynamic-policy-fixtures.ts'

const win = { ...swap, deadlineWindow: { releaseAt: T0, deadline: T0 + 110 * MIN } }

describe('exact limits', () => {
  it('gas above the cap at the very end of the max delay is missed', () => {
    expect(decideDispatch(swap, at(T0 + 30 * MIN, gas(90n)), risk, CFG)).toMatchObject({
      action: 'skip',
      code: 'missed',
    })
    expect(decideDispatch(swap, at(T0 + 30 * MIN - 1, gas(90n)), risk, CFG).action).toBe('delay')
  })

  it('a window run is missed at its deadline even when gas is cheap', () => {
    const d = decideDispatch(win, at(T0 + 110 * MIN, gas(10n)), risk, CFG)
    expect(d).toMatchObject({ action: 'skip', code: 'missed' })
  })

  it('a re-check is never scheduled for now or the past', () => {
    const d = decideDispatch(swap, at(T0, gas(90n)), risk, { ...CFG, recheckMs: 0 })
    expect(d).toMatchObject({ action: 'delay', until: T0 + 1 })
  })

  it('a job that is not gas-sensitive runs with code ok', () => {
    expect(decideDispatch({ ...swap, gasSensitive: false }, at(T0, gas(500n)), risk, CFG)).toMatchObject({
      action: 'run',
      code: 'ok',
    })
  })
})

describe('percentile data', () => {
  // Not linear on purpose: a wrong index or fraction gives a different value.
  const quantiles = Array.from({ length: 21 }, (_, i) => BigInt(i * i) * G)
  it('reads the quantile table between its points', () => {
    expect(snapshotPercentile({ percentiles: null, quantiles }, 52.5)).toBe(110n * G + G / 2n)
    expect(snapshotPercentile({ percentiles: null, quantiles }, 2.5)).toBe(G / 2n)
    expect(snapshotPercentile({ percentiles: null, quantiles }, 100)).toBe(400n * G)
  })

  it('falls back to the oracle points without a full table, and to nothing without either', () => {
    const percentiles = { p10: 20n, p25: 25n, p50: 30n, p90: 60n }
    expect(snapshotPercentile({ percentiles, quantiles: null }, 50)).toBe(30n)
    expect(snapshotPercentile({ percentiles, quantiles: quantiles.slice(0, 5) }, 50)).toBe(30n)
    expect(snapshotPercentile({ percentiles: null, quantiles: null }, 50)).toBeNull()
  })

  it('a window run with no percentile data at all sends within the cap', () => {
    const bare = gas(40n, { percentiles: null, quantiles: null })
    expect(decideDispatch(win, at(T0, bare), risk, CFG)).toMatchObject({ action: 'run', code: 'ok' })
  })
})

describe('thinning settings', () => {
  const high = { circuitBreaker: closed, volatility: { ...calm, level: 'high' as const, value: null } }
  const claim = (occurrence: number): DueRun => ({ ...swap, recurring: { intervalMs: 10 * MIN, occurrence } })
  it('skip-every k=3 skips every third occurrence', () => {
    const cfg = { ...CFG, thinning: { mode: 'skip-every' as const, k: 3 } }
    const actions = [0, 1, 2, 3, 4, 5].map((o) => decideDispatch(claim(o), at(T0, gas(30n)), high, cfg).action)
    expect(actions).toEqual(['run', 'run', 'skip', 'run', 'run', 'skip'])
  })

  it('an unknown volatility value is not printed as a number', () => {
    const d = decideDispatch(claim(1), at(T0, gas(30n)), high, CFG)
    expect(d).toMatchObject({ action: 'skip', code: 'thinned' })
    expect(d.reason).not.toContain('%')
  })
})

describe('scheduleDynamically', () => {
  it('uses the market time unless the caller gives one', () => {
    const gate = scheduleDynamically(at(T0 + 30 * MIN, gas(90n)), risk, CFG)
    expect(gate(swap).action).toBe('skip')
    expect(gate(swap, T0).action).toBe('delay')
  })
})
