// Volatility classifier: unit behaviour on synthetic prices and the real 1-minute ETH/USDT bars (Luna, FTX, calm).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readPriceBars } from '../../src/risk/market-csv.ts'
import { createVolatilityClassifier, type VolatilityLevel } from '../../src/risk/volatility.ts'
import { ValidationError } from '../../src/errors/validation-error.ts'

const DATA = join(import.meta.dirname, '../../data/market')
/** 4-hour window of 1-minute bars, annualized; enter high at 150 %, leave below 110 %. */
const CONFIG = {
  windowBars: 240,
  barSeconds: 60,
  annualize: true,
  thresholds: { mediumEnter: 0.8, mediumExit: 0.65, highEnter: 1.5, highExit: 1.1 },
}

function minutesPerLevel(file: string, config: unknown = CONFIG) {
  const c = createVolatilityClassifier(config)
  const days: Record<string, Record<VolatilityLevel, number>> = {}
  let changes = 0
  let prev: VolatilityLevel = 'low'
  for (const bar of readPriceBars(join(DATA, file))) {
    const r = c.push(bar.time, bar.close)
    const day = new Date(bar.time * 1000).toISOString().slice(0, 10)
    days[day] ??= { low: 0, medium: 0, high: 0 }
    days[day][r.level]++
    if (r.level !== prev) changes++
    prev = r.level
  }
  return { days, changes }
}

describe('volatility classifier on real ETH/USDT 1-minute bars', () => {
  it('is high during the Luna crash (2022-05-09..12) and not on the calm days around it', () => {
    const { days } = minutesPerLevel('eth_usdt_1m_2022-05-08_to_2022-05-14_luna.csv')
    for (const d of ['2022-05-09', '2022-05-10', '2022-05-11', '2022-05-12']) {
      expect(days[d]!.high, d).toBeGreaterThanOrEqual(360) // at least 6 hours of the day
    }
    expect(days['2022-05-12']!.high).toBe(1440)
    for (const d of ['2022-05-08', '2022-05-14']) expect(days[d]!.high, d).toBe(0)
  })

  it('is high during the FTX collapse (2022-11-08..10) and not on calm days', () => {
    const { days } = minutesPerLevel('eth_usdt_1m_2022-11-07_to_2022-11-13_ftx.csv')
    for (const d of ['2022-11-08', '2022-11-09', '2022-11-10']) expect(days[d]!.high, d).toBeGreaterThanOrEqual(360)
    for (const d of ['2022-11-07', '2022-11-13']) expect(days[d]!.high, d).toBe(0)
    expect(days['2022-11-07']!.low).toBe(1440)
  })

  it('never reports high in a calm week (2023-05-01..07)', () => {
    const { days } = minutesPerLevel('eth_usdt_1m_2023-05-01_to_2023-05-07_pepe.csv')
    expect(Object.keys(days)).toHaveLength(7)
    for (const [d, n] of Object.entries(days)) expect(n.high, d).toBe(0)
  })

  it('hysteresis changes level far less often than the same thresholds without it', () => {
    const file = 'eth_usdt_1m_2022-11-07_to_2022-11-13_ftx.csv'
    const noHysteresis = {
      ...CONFIG,
      thresholds: { mediumEnter: 0.8, mediumExit: 0.7999, highEnter: 1.5, highExit: 1.4999 },
    }
    const withH = minutesPerLevel(file).changes
    const without = minutesPerLevel(file, noHysteresis).changes
    expect(withH).toBeGreaterThan(0)
    expect(without).toBeGreaterThan(withH * 2)
  })
})

describe('volatility classifier units', () => {
  const small = {
    windowBars: 4,
    barSeconds: 60,
    annualize: false,
    thresholds: { mediumEnter: 0.02, mediumExit: 0.01, highEnter: 0.05, highExit: 0.03 },
  }

  it('stays low and unwarmed until the window is full, and a flat price has zero volatility', () => {
    const c = createVolatilityClassifier(small)
    for (let i = 0; i < 4; i++) expect(c.push(i * 60, 100).warmedUp).toBe(false)
    const r = c.push(240, 100)
    expect(r).toMatchObject({ warmedUp: true, value: 0, level: 'low', returns: 4 })
  })

  it('computes the per-bar sample stdev of log returns exactly', () => {
    const c = createVolatilityClassifier(small)
    const prices = [100, 110, 99, 108.9, 98.01]
    prices.forEach((p, i) => c.push(i * 60, p))
    const r = prices.slice(1).map((p, i) => Math.log(p / prices[i]!))
    const mean = r.reduce((a, b) => a + b) / r.length
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1))
    expect(c.reading().value).toBeCloseTo(sd, 12)
    expect(c.reading().level).toBe('high')
  })

  it('scales a return over a longer gap down to one bar, and annualizes by sqrt(bars per year)', () => {
    const perBar = createVolatilityClassifier({ ...small, windowBars: 2 })
    const annual = createVolatilityClassifier({ ...small, windowBars: 2, annualize: true })
    for (const c of [perBar, annual]) {
      c.push(0, 100)
      c.push(60, 101)
      c.push(300, 99)
    }
    const r1 = Math.log(1.01)
    const r2 = Math.log(99 / 101) / 2 // 240 s = 4 bars -> divide by sqrt(4)
    const sd = Math.abs(r1 - r2) / Math.sqrt(2)
    expect(perBar.reading().value).toBeCloseTo(sd, 12)
    expect(annual.reading().value).toBeCloseTo(sd * Math.sqrt(525_600), 9)
  })

  it('leaves high only below the exit threshold', () => {
    const c = createVolatilityClassifier({ ...small, windowBars: 2 })
    let t = 0
    let p = 100
    const step = (ret: number) => c.push((t += 60), (p *= Math.exp(ret)))
    c.push(0, p)
    // a window of two returns (a, b) has sample stdev |a - b| / sqrt(2)
    step(0.05)
    expect(step(-0.05).level).toBe('high') // 0.0707 >= highEnter 0.05
    const x = -0.05 + 0.04 * Math.SQRT2
    const held = step(x) // 0.04: below highEnter but above highExit
    expect(held.value).toBeCloseTo(0.04, 12)
    expect(held.level).toBe('high')
    const fresh = createVolatilityClassifier({ ...small, windowBars: 2 })
    fresh.push(0, 100)
    fresh.push(60, 100 * Math.exp(-0.05))
    fresh.push(120, 100 * Math.exp(-0.05 + x))
    expect(fresh.reading().level).toBe('medium') // same value, no history: medium
    expect(step(x + 0.02 * Math.SQRT2).level).toBe('medium') // 0.02 < highExit 0.03
    expect(step(x + 0.02 * Math.SQRT2).level).toBe('low') // 0 < mediumExit 0.01
  })

  it('rejects thresholds without hysteresis order and bad prices', () => {
    expect(() => createVolatilityClassifier({ ...small, thresholds: { ...small.thresholds, highExit: 0.06 } })).toThrow(
      ValidationError,
    )
    expect(() => createVolatilityClassifier({ ...small, windowBars: 1 })).toThrow(/windowBars/)
    expect(() => createVolatilityClassifier(small).push(0, 0)).toThrow(RangeError)
  })
})
