// The forecast study's stopping values agree with the shipped reservation rule and react to the forecast's horizon.
import { describe, expect, it } from 'vitest'
import { continuationValue, type Forecast, type ModelState } from '../../bench/fees/forecast-models.ts'
import { stoppingValue } from '../../src/bot/reservation-price.ts'

const G = 1e9
const fees = Array.from({ length: 64 }, (_, i) => (20 + i) * G) // 20 .. 83 gwei
const state: ModelState = {
  blockMs: 12_000,
  spanBlocks: 1024,
  olsSlope: 0,
  olsBelief: 0,
  tau: 25,
  window: fees.map(Math.log),
  level: Math.log(50 * G),
  trend: 0,
  mean: Math.log(50 * G),
  noise: fees.map((x) => Math.log(x / (50 * G))),
}
const flat: Forecast = (s) => s.window.map(Math.exp)
/** Fees falling 0.1 % per block ahead. */
const falling: Forecast = (s, h) => s.window.map((y) => Math.exp(y - 0.001 * h))

describe('continuationValue', () => {
  it('equals the shipped stoppingValue when the forecast ignores the horizon, with and without a cap', () => {
    for (const k of [0, 1, 2, 5, 2.5, 17.25]) {
      expect(continuationValue(state, k * 25, 25, flat, Infinity)).toBeCloseTo(stoppingValue(fees, k), -3)
      expect(continuationValue(state, k * 25, 25, flat, 50 * G)).toBeCloseTo(stoppingValue(fees, k, 50 * G), -3)
    }
  })

  it('waits for lower fees when the forecast falls, and asks for less with more draws left', () => {
    const left = 10 * 25
    expect(continuationValue(state, left, 25, falling, Infinity)).toBeLessThan(
      0.9 * continuationValue(state, left, 25, flat, Infinity),
    )
    expect(continuationValue(state, 2 * left, 25, flat, Infinity)).toBeLessThan(
      continuationValue(state, left, 25, flat, Infinity),
    )
  })
})
