// Properties of the deadline rule with a reservation price: caps hold, the safety margin sends, lower fees never wait.
import { describe, expect, it } from 'vitest'
import type { BreakerStatus } from '../risk/circuit-breaker.ts'
import type { GasSnapshot } from '../risk/gas-oracle.ts'
import type { GasTiming } from '../risk/gas-timing.ts'
import type { VolatilityReading } from '../risk/volatility.ts'
import { decideDispatch, type DueRun, type DynamicPolicyConfig } from './dynamic-policy.ts'

const G = 1_000_000_000n
const MIN = 60_000
const T0 = Date.UTC(2026, 0, 5, 12)
const closed: BreakerStatus = { state: 'closed', causes: [], openedAt: null, resetEligibleAt: null, manualHalt: null }
const calm: VolatilityReading = { level: 'low', value: 0.4, returns: 240, warmedUp: true, since: null, at: null }
const risk = { circuitBreaker: closed, volatility: calm }

/** A small seeded generator (mulberry32): many reproducible cases without a property-testing dependency. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Case {
  run: DueRun
  cfg: DynamicPolicyConfig
  gas: (fee: bigint) => GasSnapshot
  now: number
  cap: bigint
  sendBy: number
}

function drawCase(r: () => number): Case {
  const centre = 5 + r() * 300
  const quantiles = Array.from({ length: 64 }, () => centre * Math.exp((r() - 0.5) * 2) * 1e9).sort((a, b) => a - b)
  const timing: GasTiming = {
    blockMs: 1000 + r() * 14_000,
    spanBlocks: 64 + Math.floor(r() * 960),
    trendPerBlock: (r() - 0.5) * 0.004,
    trendError: r() * 0.002,
    decorrelationBlocks: 1 + r() * 200,
    quantiles,
  }
  const cap = BigInt(Math.round((10 + r() * 400) * 1e9))
  const safetyMs = (1 + Math.round(r() * 19)) * MIN
  const windowMs = safetyMs + MIN + Math.floor(r() * 6 * 60) * MIN
  const cfg: DynamicPolicyConfig = {
    maxGasPrice: cap,
    criticalMaxGasPrice: cap * 2n,
    hardMaxGasPrice: cap,
    maxDelayMs: 30 * MIN,
    recheckMs: 15_000,
    deadline: {
      lowPercentile: 0,
      highPercentile: 50,
      shape: 2,
      safetyMs,
      reservation: { decorrelationScale: 0.5 + r() * 4, trendWeight: r() * 1.5 },
    },
    thinning: { mode: 'stretch', factor: 2 },
  }
  const run: DueRun = {
    jobId: 'swap',
    chainId: 1,
    dueAt: T0,
    gasSensitive: true,
    deadlineWindow: { releaseAt: T0, deadline: T0 + windowMs },
  }
  const tip = BigInt(Math.round(r() * 3e9))
  const gas = (fee: bigint): GasSnapshot => ({
    chainId: 1,
    status: 'fresh',
    reason: null,
    baseFee: fee,
    nextBaseFee: fee,
    priorityFee: tip,
    percentiles: null,
    quantiles: null,
    timing,
    samples: 1024,
    latestBlock: 100n,
    latestBlockTime: T0 / 1000,
    lastUpdateAt: T0,
  })
  return { run, cfg, gas, now: T0 + Math.floor(r() * windowMs), cap, sendBy: T0 + windowMs - safetyMs }
}
const fees = (r: () => number) => BigInt(Math.round(r() * 300e9))

describe('deadline rule with a reservation price (2,000 random cases each)', () => {
  it('never sends above the cap (base fee + tip)', () => {
    const r = rng(1)
    for (let i = 0; i < 2000; i++) {
      const c = drawCase(r)
      const fee = fees(r)
      const d = decideDispatch(c.run, { now: c.now, gas: { 1: c.gas(fee) } }, risk, c.cfg)
      if (d.action === 'run') expect(fee + c.gas(fee).priorityFee!).toBeLessThanOrEqual(c.cap)
    }
  })

  it('always sends from the safety margin on while the fee is within the cap', () => {
    const r = rng(2)
    for (let i = 0; i < 2000; i++) {
      const c = drawCase(r)
      const now = c.sendBy + Math.floor(r() * (c.run.deadlineWindow!.deadline - c.sendBy))
      const fee = BigInt(Math.floor(r() * Number(c.cap - c.gas(0n).priorityFee!)))
      expect(decideDispatch(c.run, { now, gas: { 1: c.gas(fee) } }, risk, c.cfg)).toMatchObject({ action: 'run' })
    }
  })

  it('is monotone: a lower fee never turns a send into a wait', () => {
    const r = rng(3)
    let sends = 0
    for (let i = 0; i < 2000; i++) {
      const c = drawCase(r)
      const [lo, hi] = [fees(r), fees(r)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) as [bigint, bigint]
      const at = (fee: bigint) => decideDispatch(c.run, { now: c.now, gas: { 1: c.gas(fee) } }, risk, c.cfg).action
      if (at(hi) === 'run') {
        sends++
        expect(at(lo)).toBe('run')
      }
    }
    expect(sends).toBeGreaterThan(100) // the property was exercised, not vacuously true
  })

  it('never waits past the send-by time: a held run is re-checked by then, so it cannot miss between checks', () => {
    const r = rng(6)
    let waits = 0
    for (let i = 0; i < 2000; i++) {
      const c = drawCase(r)
      const d = decideDispatch(c.run, { now: c.now, gas: { 1: c.gas(fees(r)) } }, risk, c.cfg)
      if (d.action !== 'delay' || d.code !== 'gas_wait_reservation') continue
      waits++
      expect(c.now).toBeLessThan(c.sendBy)
      expect(d.until).toBeLessThanOrEqual(c.sendBy)
      expect(d.until).toBeGreaterThan(c.now)
    }
    expect(waits).toBeGreaterThan(100)
  })

  it('treats stale or unavailable gas as unknown whatever the timing statistics say', () => {
    const r = rng(4)
    for (let i = 0; i < 500; i++) {
      const c = drawCase(r)
      const g = { ...c.gas(1n), status: r() < 0.5 ? ('stale' as const) : ('unavailable' as const), reason: 'test' }
      expect(decideDispatch(c.run, { now: c.now, gas: { 1: g } }, risk, c.cfg).action).not.toBe('run')
    }
  })

  it('says which rule held the run back, with its numbers', () => {
    const timing: GasTiming = {
      blockMs: 12_000,
      spanBlocks: 1024,
      trendPerBlock: Math.log(0.91) / 300,
      trendError: 0.0001, // 3 %/h: the trend is 3 errors from 0
      decorrelationBlocks: 21,
      quantiles: Array.from({ length: 64 }, (_, i) => (30 + i) * 1e9),
    }
    const c = drawCase(rng(5))
    const cfg = {
      ...c.cfg,
      maxGasPrice: 200n * G,
      hardMaxGasPrice: 200n * G,
      deadline: { ...c.cfg.deadline, safetyMs: 5 * MIN, reservation: { decorrelationScale: 1, trendWeight: 1 } },
    }
    const run = { ...c.run, deadlineWindow: { releaseAt: T0, deadline: T0 + 65 * MIN } }
    const gas = { ...c.gas(41n * G), priorityFee: 0n, timing }
    const d = decideDispatch(run, { now: T0, gas: { 1: gas } }, risk, cfg)
    expect(d).toMatchObject({ action: 'delay', code: 'gas_wait_reservation', until: T0 + 15_000 })
    expect(d.reason).toMatch(
      /^base fee 41\.00 gwei; reservation price for the 14 independent draws left: \d+\.\d\d gwei; trend -9 %\/h \(±3 %\/h\); sends at any fee within cap 200\.00 gwei from 2026-01-05T13:00:00\.000Z$/,
    )
    const cheap = decideDispatch(run, { now: T0, gas: { 1: { ...gas, nextBaseFee: 30n * G } } }, risk, cfg)
    expect(cheap).toMatchObject({
      action: 'run',
      code: 'ok',
      reason: expect.stringMatching(/^base fee 30\.00 gwei at or below the reservation price/),
    })
  })
})
