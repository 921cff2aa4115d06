// Dispatch decisions the operator reads: breaker causes, why gas is unknown, reservation numbers, exact bounds.
import { describe, expect, it } from 'vitest'
import type { BreakerStatus } from '../risk/circuit-breaker.ts'
import type { GasTiming } from '../risk/gas-timing.ts'
import { decideDispatch, type DueRun, type DynamicPolicyConfig } from './dynamic-policy.ts'
import { reservationPrice } from './reservation-price.ts'
import { at, calm, CFG, closed, G, gas, MIN, risk, swap, T0 } from './dynamic-policy-fixtures.ts'

const win: DueRun = { ...swap, deadlineWindow: { releaseAt: T0, deadline: T0 + 110 * MIN } }

describe('breaker and unknown gas', () => {
  const open = (causes: BreakerStatus['causes']) => ({
    circuitBreaker: { ...closed, state: 'open' as const, causes, openedAt: T0 },
    volatility: calm,
  })

  it('a held run names every breaker cause, or says none was recorded', () => {
    const two = open([
      { kind: 'drawdown', detail: 'drawdown 12 %' },
      { kind: 'gas_budget', detail: 'gas budget spent' },
    ])
    expect(decideDispatch(swap, at(T0, gas(10n)), two, CFG).reason).toContain('(drawdown 12 %; gas budget spent)')
    expect(decideDispatch(swap, at(T0, gas(10n)), open([]), CFG).reason).toContain('(no cause recorded)')
  })

  it("a wait on unknown gas says the oracle's status and why", () => {
    const stale = gas(10n, { status: 'stale', reason: 'newest block is 5 min old' })
    expect(decideDispatch(swap, at(T0, stale), risk, CFG)).toMatchObject({
      action: 'delay',
      code: 'gas_unknown',
      reason: expect.stringContaining('(stale: newest block is 5 min old)') as string,
    })
    const bare = gas(10n, { status: 'unavailable' })
    expect(decideDispatch(swap, at(T0, bare), risk, CFG).reason).toContain('(unavailable);')
    expect(decideDispatch(swap, { now: T0, gas: {} }, risk, CFG).reason).toContain('(no oracle for this chain)')
  })

  it('unknown gas at the very end of the max delay is missed', () => {
    const stale = gas(10n, { status: 'stale' })
    expect(decideDispatch(swap, at(T0 + 30 * MIN, stale), risk, CFG)).toMatchObject({ action: 'skip', code: 'missed' })
    expect(decideDispatch(swap, at(T0 + 30 * MIN - 1, stale), risk, CFG).action).toBe('delay')
  })

  it('thinning with an unknown volatility value prints no number', () => {
    const high = { circuitBreaker: closed, volatility: { ...calm, level: 'high' as const, value: null } }
    const run = { ...swap, recurring: { intervalMs: 10 * MIN, occurrence: 1 } }
    expect(decideDispatch(run, at(T0, gas(30n)), high, CFG).reason).toBe(
      'thinned: volatility high, interval stretched x3; occurrence 1 skipped',
    )
  })
})

describe('deadline windows', () => {
  it('a window run still above the cap at its deadline is missed "until its deadline"', () => {
    const d = decideDispatch(win, at(T0 + 110 * MIN, gas(90n)), risk, CFG)
    expect(d).toMatchObject({ action: 'skip', code: 'missed', reason: expect.stringMatching(/until its deadline$/) })
  })

  it('the percentile rule runs with code ok, and a wait says the percentile and the fees', () => {
    // at release the threshold is p10 = 20 gwei
    expect(decideDispatch(win, at(T0, gas(20n)), risk, CFG)).toMatchObject({ action: 'run', code: 'ok' })
    expect(decideDispatch(win, at(T0, gas(25n)), risk, CFG)).toMatchObject({
      action: 'delay',
      code: 'gas_wait_percentile',
      reason: 'waiting for base fee <= p10 of the recent window (20.00 gwei), now 25.00 gwei',
    })
  })

  it('inside the safety margin a window run sends with code ok', () => {
    expect(decideDispatch(win, at(T0 + 100 * MIN, gas(45n)), risk, CFG)).toMatchObject({ action: 'run', code: 'ok' })
  })
})

describe('reservation price', () => {
  // Flat fees (no trend) of 10..40 gwei, 12 s blocks, one independent draw per block.
  const timing = (over: Partial<GasTiming> = {}): GasTiming => ({
    blockMs: 12_000,
    spanBlocks: 100,
    trendPerBlock: 0,
    trendError: 0,
    decorrelationBlocks: 1,
    quantiles: [10e9, 20e9, 30e9, 40e9],
    ...over,
  })
  const rule = { decorrelationScale: 1, trendWeight: 1 }
  // cap 35 gwei with a 10 gwei tip: fees above 25 gwei cannot be taken; 60 s before the send-by time: 5 draws
  const cfg = { ...CFG, maxGasPrice: 35n * G, deadline: { ...CFG.deadline, reservation: rule } }
  const now = T0 + 110 * MIN - 10 * MIN - 60_000
  const tip = 10n * G
  const snap = (fee: bigint, t: GasTiming | null = timing()) =>
    gas(0n, { nextBaseFee: fee, priorityFee: tip, timing: t, percentiles: null })

  it('sends at a base fee exactly at the price for the cap less the tip, and waits one wei above', () => {
    const price = reservationPrice(timing(), 60_000, rule, Number(35n * G - tip))!.price
    // the tip matters: with the whole cap as the base fee the price differs
    expect(reservationPrice(timing(), 60_000, rule, Number(35n * G))!.price).not.toBe(price)
    expect(reservationPrice(timing(), 60_000, rule, Number(45n * G))!.price).not.toBe(price)
    expect(decideDispatch(win, at(now, snap(price)), risk, cfg)).toMatchObject({ action: 'run', code: 'ok' })
    expect(decideDispatch(win, at(now, snap(price + 1n)), risk, cfg)).toMatchObject({
      action: 'delay',
      code: 'gas_wait_reservation',
    })
  })

  it('the reason shows the draws left, the signed trend and its error', () => {
    const wait = decideDispatch(win, at(now, snap(20n * G)), risk, cfg).reason
    expect(wait).toContain('reservation price for the 5.0 independent draws left: ')
    expect(wait).toContain('trend +0 %/h (±0 %/h)')
    const falling = timing({ trendPerBlock: -0.0001, trendError: Number.POSITIVE_INFINITY })
    expect(decideDispatch(win, at(now, snap(20n * G, falling)), risk, cfg).reason).toContain('trend -3 %/h (±∞ %/h)')
    // ten draws or more print as whole numbers
    const ten = decideDispatch(win, at(now - 60_000, snap(20n * G)), risk, cfg).reason
    expect(ten).toContain('for the 10 independent draws left')
  })

  it('uses the percentiles when the oracle has timing but no reservation rule is set', () => {
    const d = decideDispatch(win, at(T0, gas(25n, { timing: timing() })), risk, CFG)
    expect(d).toMatchObject({ action: 'delay', code: 'gas_wait_percentile' })
  })
})
