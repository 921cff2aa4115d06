// Rebalance edges: position reads, option guards, exact trade-size and drift bounds, dust, and move order.
import { describe, expect, it } from 'vitest'
import { parseProtocols, type Allocation, type ProtocolSpec } from './allocator.ts'
import { planRebalance, readPositions, type PositionReader } from './rebalance.ts'
import { ValidationError } from '../errors/validation-error.ts'

const E18 = 10n ** 18n
/** Protocols holding a 0-decimals unit, or an 18-decimals one (`eth_*` ids), on chain 1. */
const protocols = (...ids: string[]): ProtocolSpec[] =>
  parseProtocols(
    ids.map((id) => ({
      id,
      chainId: 1,
      asset: id.startsWith('eth') ? { symbol: 'ETH', decimals: 18 } : { symbol: 'U', decimals: 0 },
      expectedValueBps: 100,
      riskBps: 100,
    })),
  )
const target = (protocol: string, amount: bigint): Allocation => ({
  protocol,
  chainId: 1,
  amount,
  value: amount,
  weightBps: 0,
  priority: 1,
})
/** Capital in whole units; neither threshold set unless a test says so. */
const opts = { capitalDecimals: 0, minTradeSize: 0n, driftThresholdBps: 0 }
const moves = (
  targets: Allocation[],
  positions: Record<string, bigint>,
  ps: ProtocolSpec[],
  over: Partial<typeof opts> = {},
) => planRebalance(targets, positions, ps, { ...opts, ...over }).map((m) => [m.protocol, m.action, m.amount])

describe('readPositions', () => {
  const reader = (amounts: Record<string, bigint>, seen: string[] = []): PositionReader => ({
    read: async (p) => {
      seen.push(p.id)
      return amounts[p.id]!
    },
  })

  it('reads every protocol in order, zero included', async () => {
    const seen: string[] = []
    const got = await readPositions(reader({ a: 0n, b: 7n }, seen), protocols('a', 'b'))
    expect(got).toEqual({ a: 0n, b: 7n })
    expect(seen).toEqual(['a', 'b'])
  })

  it('refuses a negative position, naming the protocol', async () => {
    await expect(readPositions(reader({ a: 1n, b: -1n }), protocols('a', 'b'))).rejects.toThrow(
      'invalid position: b: the position reader returned a negative amount',
    )
  })
})

describe('planRebalance options', () => {
  const ps = protocols('a')
  it('refuses a negative minimum trade, a negative or NaN drift threshold', () => {
    expect(() => moves([], {}, ps, { minTradeSize: -1n })).toThrow('minTradeSize: must not be negative')
    expect(() => moves([], {}, ps, { driftThresholdBps: -1 })).toThrow('driftThresholdBps: must be a number >= 0')
    expect(() => moves([], {}, ps, { driftThresholdBps: Number.NaN })).toThrow(ValidationError)
  })

  it('accepts zero thresholds: any non-zero difference moves', () => {
    expect(moves([target('a', 5n)], { a: 4n }, ps)).toEqual([['a', 'deposit', 1n]])
  })
})

describe('planRebalance thresholds', () => {
  const ps = protocols('a')
  it('skips a move below the minimum trade even when the drift is large, and makes one exactly at it', () => {
    const eth = protocols('eth_a')
    const t = [target('eth_a', E18)]
    const ethOpts = { capitalDecimals: 18, minTradeSize: E18 / 10n, driftThresholdBps: 200 }
    expect(moves(t, { eth_a: E18 + E18 / 20n }, eth, ethOpts)).toEqual([]) // 5 % drift, 0.05 < 0.1
    expect(moves(t, { eth_a: E18 + E18 / 10n }, eth, ethOpts)).toEqual([['eth_a', 'withdraw', E18 / 10n]])
  })

  it('skips a difference that rounds to zero capital units, even with no thresholds', () => {
    // 1 wei of an 18-decimals asset is 0 units of 6-decimals capital
    const eth = protocols('eth_a')
    expect(moves([target('eth_a', E18)], { eth_a: E18 + 1n }, eth, { capitalDecimals: 6 })).toEqual([])
  })

  it('measures drift against the target, and moves exactly at the threshold', () => {
    // 90 held against a target of 100: 10 % of the target (11.1 % of the position)
    expect(moves([target('a', 100n)], { a: 90n }, ps, { driftThresholdBps: 1_050 })).toEqual([])
    expect(moves([target('a', 100n)], { a: 90n }, ps, { driftThresholdBps: 1_000 })).toEqual([['a', 'deposit', 10n]])
  })

  it('measures drift against the position when the target is zero', () => {
    expect(moves([], { a: 50n }, ps, { driftThresholdBps: 10_000 })).toEqual([['a', 'withdraw', 50n]])
    expect(moves([], { a: 50n }, ps, { driftThresholdBps: 10_001 })).toEqual([])
  })
})

describe('planRebalance order', () => {
  it('runs larger moves first within an action, then by id for equal sizes, whatever the input order', () => {
    // ids sort against size (a_small < b_mid < c_big), and one equal pair comes in each id order
    const ids = ['a_small', 'b_mid', 'c_big', 'w_b', 'w_a', 'd_x', 'd_y']
    const positions = { a_small: 90n, b_mid: 50n, c_big: 0n, w_b: 150n, w_a: 150n, d_x: 70n, d_y: 70n }
    const plan = planRebalance(
      ids.map((id) => target(id, 100n)),
      positions,
      protocols(...ids),
      opts,
    )
    expect(plan.map((m) => [m.protocol, m.action, m.amount, m.priority])).toEqual([
      ['w_a', 'withdraw', 50n, 1],
      ['w_b', 'withdraw', 50n, 2],
      ['c_big', 'deposit', 100n, 3],
      ['b_mid', 'deposit', 50n, 4],
      ['d_x', 'deposit', 30n, 5],
      ['d_y', 'deposit', 30n, 6],
      ['a_small', 'deposit', 10n, 7],
    ])
  })
})
