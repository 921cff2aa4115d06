// Allocator edges: bad input, exact bounds of caps and minimums, rounding of basis points, order and ties.
import { describe, expect, it } from 'vitest'
import { ValidationError } from '../errors/validation-error.ts'
import { parseProtocols, planPortfolio, scoresToBps, type ProtocolSpecInput } from './allocator.ts'

const UNIT = { symbol: 'U', decimals: 0 }
/** A protocol on chain 1 with risk 100, so its score is `ev / 100`; amounts in whole units (0 decimals). */
const spec = (id: string, ev: number, over: Partial<ProtocolSpecInput> = {}): ProtocolSpecInput => ({
  id,
  chainId: 1,
  asset: UNIT,
  expectedValueBps: ev,
  riskBps: 100,
  ...over,
})
const units = (amount: bigint) => ({ amount, decimals: 0 })
const values = (protocols: ProtocolSpecInput[], amount: bigint) =>
  planPortfolio(protocols, units(amount)).allocations.map((a) => [a.protocol, a.value, a.priority])

/** The ValidationError `fn` throws (fails the test when it throws nothing or something else). */
function validationError(fn: () => unknown): ValidationError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError)
    return e as ValidationError
  }
  throw new Error('expected a ValidationError')
}

describe('parseProtocols bad input', () => {
  it('names the list and the field of a schema error', () => {
    const e = validationError(() => parseProtocols([spec('a', 100, { riskBps: 0 })]))
    expect(e.code).toBe('VALIDATION')
    expect(e.message).toMatch(/^invalid protocol list: /)
    expect(e.issues.map((i) => i.path)).toEqual(['0.riskBps'])
  })

  it('names the protocol whose minAmount exceeds its maxAmount, and accepts min = max', () => {
    const e = validationError(() => parseProtocols([spec('a', 100), spec('b', 100, { minAmount: 3n, maxAmount: 2n })]))
    expect(e.issues.map((i) => i.path)).toEqual(['b.minAmount'])
    expect(parseProtocols([spec('a', 100, { minAmount: 2n, maxAmount: 2n })])[0]).toMatchObject({
      minAmount: 2n,
      maxAmount: 2n,
    })
  })
})

describe('planPortfolio bad input', () => {
  it('refuses negative capital, naming the amount; zero capital plans nothing', () => {
    const e = validationError(() => planPortfolio([spec('a', 100)], units(-1n)))
    expect(e.issues.map((i) => i.path)).toEqual(['amount'])
    expect(planPortfolio([spec('a', 100)], units(0n))).toEqual({
      allocations: [],
      reserved: { 1: 0n },
      unallocated: 0n,
    })
  })

  it('refuses a negative gas reserve, naming the chain', () => {
    const e = validationError(() =>
      planPortfolio([spec('a', 100, { chainId: 10 })], units(100n), { gasReserve: { 10: -1n } }),
    )
    expect(e.issues.map((i) => i.path)).toEqual(['10'])
  })
})

describe('scoresToBps', () => {
  it('gives zeros when no score is positive, and nothing for no scores', () => {
    expect(scoresToBps([0, 0])).toEqual([0, 0])
    expect(scoresToBps([])).toEqual([])
  })

  it('hands the leftover basis point to the largest fractional part, not the largest share', () => {
    // raw 5000.2 and 4999.8: floors 5000 + 4999, the missing point goes to the .8
    expect(scoresToBps([5000.2, 4999.8])).toEqual([5000, 5000])
  })
})

describe('planPortfolio order and bounds', () => {
  it('ranks by risk-adjusted score, not by id', () => {
    expect(values([spec('aa', 100), spec('zz', 300)], 100n)).toEqual([
      ['zz', 75n, 1],
      ['aa', 25n, 2],
    ])
  })

  it('breaks equal scores by id, whatever the input order', () => {
    const plan = planPortfolio([spec('c', 100), spec('a', 100), spec('b', 100)], units(10_000n))
    expect(plan.allocations.map((a) => [a.protocol, a.weightBps, a.priority])).toEqual([
      ['a', 3334, 1],
      ['b', 3333, 2],
      ['c', 3333, 3],
    ])
  })

  it('keeps no gas reserve for a chain whose only protocol has no positive expected value', () => {
    const plan = planPortfolio([spec('a', 100), spec('z', 0, { chainId: 5 })], units(100n), {
      gasReserve: { 1: 10n, 5: 10n },
    })
    expect(plan.reserved).toEqual({ 1: 10n })
    expect(plan.allocations.map((a) => [a.protocol, a.value])).toEqual([['a', 90n]])
  })

  it('leaves a protocol whose share equals its cap in the weighted split (no re-split of rounding dust)', () => {
    // weights 50/25/25 of 11: 5.5 -> 5 (= cap), 2.75 -> 2, 2.75 -> 2; the 2 units of dust stay unallocated
    const plan = planPortfolio([spec('top', 200, { maxAmount: 5n }), spec('x', 100), spec('y', 100)], units(11n))
    expect(plan.allocations.map((a) => [a.protocol, a.value])).toEqual([
      ['top', 5n],
      ['x', 2n],
      ['y', 2n],
    ])
    expect(plan.unallocated).toBe(2n)
  })

  it('keeps a protocol whose share equals its minAmount', () => {
    expect(values([spec('a', 100), spec('b', 100, { minAmount: 50n })], 100n)).toEqual([
      ['a', 50n, 1],
      ['b', 50n, 2],
    ])
  })

  it('orders allocations by score even when a lower-ranked protocol is pinned at its cap first', () => {
    expect(values([spec('hi', 300), spec('lo', 100, { maxAmount: 10n })], 100n)).toEqual([
      ['hi', 90n, 1],
      ['lo', 10n, 2],
    ])
  })
})
