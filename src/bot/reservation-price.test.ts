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
  trendError: 0.00001,
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

  it('skips draws above the cap and counts ending above it as a miss', () => {
    // cap 50 gwei: with no draw left the last draw costs 10 caps when it lands above the cap (34 of 64)
    const v0 = stoppingValue(xs, 0, 50 * G)
    const mean = xs.reduce((s, x) => s + (x <= 50 * G ? x : 500 * G), 0) / 64
    expect(v0).toBeCloseTo(mean, -3)
    const one = xs.reduce((s, x) => s + (x <= 50 * G && x < v0 ? x : v0), 0) / 64
    expect(stoppingValue(xs, 1, 50 * G)).toBeCloseTo(one, -3)
    // many draws still reach the smallest value, which is within the cap
    expect(stoppingValue(xs, 400, 50 * G)).toBeLessThan(22 * G)
  })
})

describe('reservationPrice', () => {
  it('counts independent draws as blocks left over the scaled autocorrelation time', () => {
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

  it('believes a trend in proportion to its significance: one within its error barely moves the price', () => {
    const cfg = { decorrelationScale: 1, trendWeight: 1 }
    const flat = reservationPrice(timing(), 3_600_000, cfg)!.price
    const sure = reservationPrice(timing({ trendPerBlock: -0.0005, trendError: 0.00001 }), 3_600_000, cfg)!.price
    const noise = reservationPrice(timing({ trendPerBlock: -0.0005, trendError: 0.005 }), 3_600_000, cfg)!.price
    expect(sure).toBeLessThan((flat * 95n) / 100n) // exp(-0.0005 x 150 blocks) = 0.93
    expect(noise).toBeLessThan(flat)
    expect(noise).toBeGreaterThan((flat * 99n) / 100n)
  })

  it('rises toward the cap when fees above it are common, and never asks for a fee the cap forbids', () => {
    const cfg = { decorrelationScale: 1, trendWeight: 1 }
    const free = reservationPrice(timing(), 3_600_000, cfg)!.price
    // 40 gwei cap: 44 of the 64 draws cannot be taken, and ending above the cap misses
    const capped = reservationPrice(timing(), 3_600_000, cfg, 40 * G)!.price
    expect(capped).toBeGreaterThan(free)
    // every draw above the cap: waiting can only miss, so any fee within the cap is worth taking
    const all = reservationPrice(timing(), 3_600_000, cfg, 10 * G)!.price
    expect(all).toBeGreaterThanOrEqual(BigInt(10 * G))
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
