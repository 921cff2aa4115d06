// Timing statistics of the oracle window: block interval, trend and its error, autocorrelation time, quantiles.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { FeeSample } from './gas-oracle.ts'
import { createGasOracle } from './gas-oracle.ts'
import { computeGasTiming } from './gas-timing.ts'
import { readBaseFeeTrace } from './market-csv.ts'

const G = 1e9
/** Samples every 12 s whose ln fee is `f(i)`. */
function series(n: number, f: (i: number) => number, stamp: (i: number) => boolean = () => true): FeeSample[] {
  return Array.from({ length: n }, (_, i) => ({
    blockNumber: 1000n + BigInt(i),
    baseFeePerGas: BigInt(Math.round(Math.exp(f(i)))),
    ...(stamp(i) ? { timestamp: 1_700_000_000 + 12 * i } : {}),
  }))
}

describe('computeGasTiming', () => {
  it('measures the block interval and the trend of ln base fee', () => {
    const t = computeGasTiming(series(600, (i) => Math.log(50 * G) - 0.0005 * i))!
    expect(t.blockMs).toBe(12_000)
    expect(t.spanBlocks).toBe(600)
    expect(t.trendPerBlock).toBeCloseTo(-0.0005, 6)
    expect(t.quantiles).toHaveLength(64)
    expect(t.quantiles[0]!).toBeLessThan(t.quantiles[63]!)
    expect([...t.quantiles].sort((a, b) => a - b)).toEqual(t.quantiles)
  })

  it('needs only two timestamped samples (a live oracle stamps each refresh head), and none is not enough', () => {
    const sparse = computeGasTiming(
      series(
        300,
        () => Math.log(20 * G),
        (i) => i === 10 || i === 250,
      ),
    )
    expect(sparse?.blockMs).toBe(12_000)
    expect(
      computeGasTiming(
        series(
          300,
          () => Math.log(20 * G),
          (i) => i === 10,
        ),
      ),
    ).toBeNull()
    expect(computeGasTiming(series(40, () => Math.log(20 * G)))).toBeNull()
  })

  it('finds a longer autocorrelation time for a slowly wandering fee than for block-to-block noise', () => {
    let seed = 7
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5
    let ar = 0
    const slow = computeGasTiming(series(1024, () => (ar = 0.98 * ar + 0.05 * rand()) + Math.log(30 * G)))!
    const noisy = computeGasTiming(series(1024, () => 0.2 * rand() + Math.log(30 * G)))!
    expect(noisy.decorrelationBlocks).toBeLessThan(2)
    expect(slow.decorrelationBlocks).toBeGreaterThan(20)
    expect(slow.decorrelationBlocks).toBeLessThanOrEqual(256)
  })

  it('gives a clear trend a small error and a trend in noise a large one', () => {
    let seed = 11
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5
    const falling = computeGasTiming(series(1024, (i) => Math.log(30 * G) - 0.001 * i + 0.05 * rand()))!
    expect(falling.trendPerBlock).toBeCloseTo(-0.001, 4)
    expect(Math.abs(falling.trendPerBlock / falling.trendError)).toBeGreaterThan(10)
    let ar = 0
    const wander = computeGasTiming(series(1024, () => (ar = 0.99 * ar + 0.05 * rand()) + Math.log(30 * G)))!
    expect(wander.trendError).toBeGreaterThan(5 * falling.trendError)
  })

  it('comes with every oracle snapshot of a real mainnet day', () => {
    const trace = readBaseFeeTrace(
      join(import.meta.dirname, '../../data/market/eth_basefee_2023-05-03_pepe.csv'),
    ).slice(0, 1100)
    let now = 0
    const oracle = createGasOracle({
      config: { chainId: 1, windowBlocks: 1024, maxBlockAgeMs: 600_000 },
      now: () => now,
    })
    for (const [i, s] of trace.entries()) {
      now = s.timestamp * 1000
      if (i < trace.length - 1) oracle.ingest([s], trace[i + 1]!.baseFeePerGas)
    }
    const t = oracle.snapshot().timing!
    expect(t.blockMs).toBeGreaterThan(11_000)
    expect(t.blockMs).toBeLessThan(14_000)
    expect(t.decorrelationBlocks).toBeGreaterThan(1)
    expect(t.quantiles[0]!).toBeGreaterThan(30 * G)
    expect(t.quantiles[63]!).toBeLessThan(200 * G)
  })
})
