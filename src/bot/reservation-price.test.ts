// The reservation price: optimal-stopping values, more time lowers it, a falling trend lowers it, bad input gives null.
import { describe, expect, it } from 'vitest'
import type { GasTiming } from '../risk/gas-timing.ts'
import { reservationPrice, stoppingValue } from './reservation-price.ts'

const G = 1e9
const xs = Array.from({ length: 64 }, (_, i) => (20 + i) * G) // 20 .. 83 gwei, mean 51.5
const timing = (over: Partial<GasTiming> = {}): GasTiming => ({
  blockMs: 12_000,
  spanBlocks: 1024,
  trendPerBlock: 0,
  decorrelationBlocks: 25,
  quantiles: xs,
  ...over,
})

describe('stoppingValue', () => {
  it('is the mean with no draw left and falls toward the smallest value as draws are added', () => {
    expect(stoppingValue(xs, 0)).toBeCloseTo(51.5 * G, -3)
    // one draw left: E[min(X, mean)]
    const one = xs.reduce((s, x) => s + Math.min(x, 51.5 * G), 0) / 64
    expect(stoppingValue(xs, 1)).toBeCloseTo(one, -3)
    const values = [0, 0.5, 1, 2, 5, 10, 40, 400].map((k) => stoppingValue(xs, k))
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!)
    expect(values.at(-1)!).toBeGreaterThanOrEqual(20 * G)
    expect(values.at(-1)!).toBeLessThan(22 * G)
  })
})

describe('reservationPrice', () => {
  it('counts independent draws as blocks left over the scaled decorrelation lag', () => {
    const r = reservationPrice(timing(), 3_600_000, { decorrelationScale: 2, trendWeight: 1 })!
    expect(r.draws).toBeCloseTo(300 / 50, 9)
    expect(Number(r.price)).toBeCloseTo(stoppingValue(xs, 6), -3)
    expect(r.trendPerHour).toBe(0)
  })

  it('asks for less with more time left, and less in a falling market than in a rising one', () => {
    const cfg = { decorrelationScale: 1, trendWeight: 1 }
    const at = (ms: number, trend = 0) => reservationPrice(timing({ trendPerBlock: trend }), ms, cfg)!.price
    expect(at(4 * 3_600_000)).toBeLessThan(at(3_600_000))
    expect(at(3_600_000)).toBeLessThan(at(60_000))
    expect(at(3_600_000, -0.0005)).toBeLessThan(at(3_600_000))
    expect(at(3_600_000, 0.0005)).toBeGreaterThan(at(3_600_000))
    // trendWeight 0 ignores the trend
    const flat = reservationPrice(timing({ trendPerBlock: -0.0005 }), 3_600_000, { ...cfg, trendWeight: 0 })!
    expect(flat.price).toBe(at(3_600_000))
    expect(flat.trendPerHour).toBeCloseTo(Math.expm1(-0.15), 9)
  })

  it('gives null instead of a guess on statistics it cannot use', () => {
    const cfg = { decorrelationScale: 1, trendWeight: 1 }
    expect(reservationPrice(timing({ blockMs: 0 }), 60_000, cfg)).toBeNull()
    expect(reservationPrice(timing({ decorrelationBlocks: Number.NaN }), 60_000, cfg)).toBeNull()
    expect(reservationPrice(timing({ quantiles: [] }), 60_000, cfg)).toBeNull()
    expect(reservationPrice(timing({ trendPerBlock: 10 }), 3_600_000, cfg)).toBeNull() // exp(1500) overflows
    expect(reservationPrice(timing(), 60_000, { ...cfg, decorrelationScale: 0 })).toBeNull()
  })
})
