// Capital allocator and rebalancer: exact bigint expectations, caps, reserves, no-churn, seeded property tests.
import { describe, expect, it } from 'vitest'
import {
  optimizePortfolio,
  parseProtocols,
  planPortfolio,
  scoresToBps,
  toCapitalUnits,
  type ProtocolSpecInput,
} from '../../src/capital/allocator.ts'
import { planRebalance, toJobSpecs } from '../../src/capital/rebalance.ts'
import { ValidationError } from '../../src/errors/validation-error.ts'

const E18 = 10n ** 18n
const ETH = { symbol: 'ETH', decimals: 18 }
const XETH8 = { symbol: 'xETH', decimals: 8 }
const BASE: ProtocolSpecInput[] = [
  { id: 'lend_a', chainId: 1, asset: ETH, expectedValueBps: 800, riskBps: 400 }, // score 2
  { id: 'bridge_b', chainId: 10, asset: XETH8, expectedValueBps: 600, riskBps: 200 }, // score 3
  { id: 'swap_c', chainId: 1, asset: ETH, expectedValueBps: 500, riskBps: 1000 }, // score 0.5
  { id: 'bad_d', chainId: 1, asset: ETH, expectedValueBps: -100, riskBps: 100 }, // negative EV: never funded
]
const RESERVE = { gasReserve: { 1: E18, 10: E18 / 2n } }
const capital = (amount: bigint) => ({ amount, decimals: 18 })

/** mulberry32: a small seeded PRNG so property tests are reproducible. */
function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('optimizePortfolio', () => {
  it('splits by risk-adjusted score into exact amounts after the per-chain gas reserves', () => {
    expect(scoresToBps([2, 3, 0.5, 0])).toEqual([3636, 5455, 909, 0])
    const plan = planPortfolio(BASE, capital(100n * E18), RESERVE)
    expect(plan.reserved).toEqual({ 10: E18 / 2n, 1: E18 })
    // investable 98.5 ETH: 54.55 % / 36.36 % / 9.09 %
    expect(plan.allocations).toEqual([
      {
        protocol: 'bridge_b',
        chainId: 10,
        amount: 5_373_175_000n,
        value: 53_731_750_000_000_000_000n,
        weightBps: 5455,
        priority: 1,
      },
      {
        protocol: 'lend_a',
        chainId: 1,
        amount: 35_814_600_000_000_000_000n,
        value: 35_814_600_000_000_000_000n,
        weightBps: 3636,
        priority: 2,
      },
      {
        protocol: 'swap_c',
        chainId: 1,
        amount: 8_953_650_000_000_000_000n,
        value: 8_953_650_000_000_000_000n,
        weightBps: 909,
        priority: 3,
      },
    ])
    expect(plan.unallocated).toBe(0n)
  })

  it('pins a protocol at its cap, re-splits the excess, and drops one below its minimum', () => {
    const capped = BASE.map((p) => (p.id === 'bridge_b' ? { ...p, maxAmount: 40n * E18 } : p))
    expect(optimizePortfolio(capped, capital(100n * E18), RESERVE).map((a) => [a.protocol, a.value])).toEqual([
      ['bridge_b', 40n * E18],
      ['lend_a', (468n * E18) / 10n],
      ['swap_c', (117n * E18) / 10n],
    ])
    const withMin = capped.map((p) => (p.id === 'swap_c' ? { ...p, minAmount: 12n * E18 } : p))
    const plan = planPortfolio(withMin, capital(100n * E18), RESERVE)
    expect(plan.allocations.map((a) => [a.protocol, a.value])).toEqual([
      ['bridge_b', 40n * E18],
      ['lend_a', (585n * E18) / 10n],
    ])
    expect(plan.unallocated).toBe(0n)
    const shared = BASE.map((p) => ({ ...p, maxShareBps: 5_000 }))
    const s = optimizePortfolio(shared, capital(100n * E18), RESERVE)
    expect(s.find((a) => a.protocol === 'bridge_b')!.value).toBe((4925n * E18) / 100n) // 50 % of 98.5
  })

  it("floors to each asset's decimals and keeps the dust unallocated", () => {
    const plan = planPortfolio([BASE[1]!], capital(E18 + 12_345_678_901n), {})
    expect(plan.allocations[0]).toMatchObject({ amount: 100_000_001n, value: E18 + 10_000_000_000n })
    expect(plan.unallocated).toBe(2_345_678_901n)
  })

  it('keeps reserves first and allocates nothing when capital does not cover them', () => {
    const plan = planPortfolio(BASE, capital(E18), RESERVE)
    expect(plan.allocations).toEqual([])
    expect(plan.reserved[10]! + plan.reserved[1]!).toBe(E18)
    expect(plan.unallocated).toBe(0n)
  })

  it('rejects bad protocol entries with the field path', () => {
    expect(() => parseProtocols([{ ...BASE[0]!, id: 'Bad-Id' }])).toThrow(ValidationError)
    expect(() => parseProtocols([{ ...BASE[0]!, riskBps: 0 }])).toThrow(/riskBps/)
    expect(() => parseProtocols([BASE[0]!, BASE[0]!])).toThrow(/duplicate/)
    expect(() => parseProtocols([{ ...BASE[0]!, minAmount: 2n, maxAmount: 1n }])).toThrow(/minAmount/)
  })

  it('property: 3000 random portfolios never exceed capital or caps, never go negative, rarely idle', () => {
    const rand = rng(20260522)
    const decimalsChoices = [0, 6, 8, 18, 24]
    const big = (max: bigint) => (BigInt(Math.floor(rand() * 2 ** 30)) * max) / 2n ** 30n
    for (let n = 0; n < 3000; n++) {
      const count = 1 + Math.floor(rand() * 6)
      const constrained = rand() < 0.6
      const capDecimals = [6, 18][Math.floor(rand() * 2)]!
      const total = big(10n ** BigInt(capDecimals + 6))
      const protocols: ProtocolSpecInput[] = Array.from({ length: count }, (_, i) => {
        const p: ProtocolSpecInput = {
          id: `p${i}`,
          chainId: 1 + Math.floor(rand() * 3),
          asset: { symbol: 'X', decimals: constrained ? decimalsChoices[Math.floor(rand() * 5)]! : capDecimals },
          expectedValueBps: Math.round(rand() * 2500 - 500),
          riskBps: 1 + Math.round(rand() * 3000),
        }
        if (constrained && rand() < 0.5) p.maxAmount = big(total)
        if (constrained && rand() < 0.3) p.minAmount = big(total / 4n)
        if (constrained && rand() < 0.3) p.maxShareBps = Math.floor(rand() * 10_001)
        if (p.minAmount !== undefined && p.maxAmount !== undefined && p.minAmount > p.maxAmount) delete p.minAmount
        return p
      })
      const gasReserve = { 1: big(total / 10n), 2: big(total / 10n), 3: 0n }
      const plan = planPortfolio(protocols, { amount: total, decimals: capDecimals }, { gasReserve })
      const reserved = Object.values(plan.reserved).reduce((a, b) => a + b, 0n)
      const placed = plan.allocations.reduce((a, b) => a + b.value, 0n)
      const investable = total - reserved
      expect(reserved).toBeLessThanOrEqual(total)
      expect(plan.unallocated).toBeGreaterThanOrEqual(0n)
      expect(placed + reserved + plan.unallocated).toBe(total)
      for (const a of plan.allocations) {
        const spec = protocols.find((p) => p.id === a.protocol)!
        expect(a.amount).toBeGreaterThan(0n)
        expect(a.value).toBe(toCapitalUnits(a.amount, capDecimals, spec.asset.decimals))
        expect(spec.expectedValueBps).toBeGreaterThan(0)
        if (spec.maxAmount !== undefined) expect(a.value).toBeLessThanOrEqual(spec.maxAmount)
        if (spec.minAmount !== undefined) expect(a.value).toBeGreaterThanOrEqual(spec.minAmount)
        if (spec.maxShareBps !== undefined)
          expect(a.value * 10_000n).toBeLessThanOrEqual(investable * BigInt(spec.maxShareBps))
      }
      expect(plan.allocations.map((a) => a.priority)).toEqual(plan.allocations.map((_, i) => i + 1))
      // unconstrained: everything investable is placed, up to one unit of rounding per protocol
      if (!constrained && protocols.some((p) => p.expectedValueBps > 0)) {
        expect(plan.unallocated).toBeLessThan(BigInt(count))
      }
    }
  })
})

describe('planRebalance', () => {
  const protocols = parseProtocols(BASE)
  const targets = optimizePortfolio(BASE, capital(100n * E18), RESERVE)
  const opts = { capitalDecimals: 18, minTradeSize: E18 / 10n, driftThresholdBps: 200 }

  it('emits nothing when positions are within the drift threshold or below the minimum trade (no churn)', () => {
    const positions = {
      bridge_b: 5_373_175_000n - 100_000_000n, // 1.86 % under target: below 2 % drift
      lend_a: 35_814_600_000_000_000_000n + 50_000_000_000_000_000n, // +0.05 ETH: below the 0.1 ETH minimum trade
      swap_c: 8_953_650_000_000_000_000n,
    }
    expect(planRebalance(targets, positions, protocols, opts)).toEqual([])
    // and a second pass over the same state is stable
    expect(planRebalance(targets, positions, protocols, opts)).toEqual([])
  })

  it('emits withdrawals first, then deposits, with exact amounts and allocate_<protocol> job specs', () => {
    const positions = { bridge_b: 4_000_000_000n, lend_a: 40n * E18, swap_c: 0n, bad_d: 3n * E18 }
    const moves = planRebalance(targets, positions, protocols, opts)
    expect(moves).toEqual([
      {
        protocol: 'lend_a',
        chainId: 1,
        action: 'withdraw',
        amount: 4_185_400_000_000_000_000n,
        current: 40n * E18,
        target: 35_814_600_000_000_000_000n,
        priority: 1,
      },
      {
        protocol: 'bad_d',
        chainId: 1,
        action: 'withdraw',
        amount: 3n * E18,
        current: 3n * E18,
        target: 0n,
        priority: 2,
      },
      {
        protocol: 'bridge_b',
        chainId: 10,
        action: 'deposit',
        amount: 1_373_175_000n,
        current: 4_000_000_000n,
        target: 5_373_175_000n,
        priority: 3,
      },
      {
        protocol: 'swap_c',
        chainId: 1,
        action: 'deposit',
        amount: 8_953_650_000_000_000_000n,
        current: 0n,
        target: 8_953_650_000_000_000_000n,
        priority: 4,
      },
    ])
    const jobs = toJobSpecs(moves, 'tick-7')
    expect(jobs[2]).toEqual({
      taskType: 'allocate_bridge_b',
      priority: 3,
      dedupeKey: 'tick-7:bridge_b:deposit:1373175000:5373175000',
      args: {
        protocol: 'bridge_b',
        chainId: 10,
        action: 'deposit',
        amount: '1373175000',
        current: '4000000000',
        target: '5373175000',
      },
    })
    expect(JSON.parse(JSON.stringify(jobs))).toEqual(jobs) // plain JSON data
  })
})
