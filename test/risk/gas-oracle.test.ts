// Gas oracle against a real anvil (eth_feeHistory, base-fee cheat, dead RPC) and fed from the recorded PEPE trace.
import { join } from 'node:path'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { anvilRpc, startAnvil, type AnvilInstance } from '../../src/devnet/anvil.ts'
import { createGasOracle } from '../../src/risk/gas-oracle.ts'
import { readBaseFeeTrace } from '../../src/risk/market-csv.ts'

const GWEI = 10n ** 9n

describe('gas oracle on anvil', () => {
  let anvil: AnvilInstance
  beforeAll(async () => {
    anvil = await startAnvil({ chainId: 31337 })
  })
  afterAll(async () => {
    await anvil?.stop()
  })

  it('reads base fees over a rolling window, reports percentiles, then stale and unavailable when the RPC dies', async () => {
    const client = createPublicClient({ transport: http(anvil.rpcUrl), cacheTime: 0 })
    const fees = [30n, 10n, 50n, 20n, 40n].map((g) => g * GWEI)
    for (const fee of fees) {
      await anvilRpc(anvil.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${fee.toString(16)}`])
      await anvilRpc(anvil.rpcUrl, 'evm_mine')
    }
    const head = await client.getBlock({ blockTag: 'latest' })
    let clock = Number(head.timestamp) * 1000 + 1_000
    const oracle = createGasOracle({
      config: {
        chainId: 31337,
        windowBlocks: 4,
        maxBlockAgeMs: 60_000,
        maxUpdateAgeMs: 60_000,
        unavailableAfterMs: 300_000,
      },
      client,
      now: () => clock,
    })
    expect(oracle.snapshot()).toMatchObject({ status: 'unavailable', baseFee: null, percentiles: null })
    const snap = await oracle.refresh()
    expect(snap.status).toBe('fresh')
    expect(snap.latestBlock).toBe(head.number)
    expect(snap.baseFee).toBe(40n * GWEI)
    expect(snap.samples).toBe(4) // window of 4: 10, 50, 20, 40
    expect(snap.percentiles).toEqual({ p10: 10n * GWEI, p25: 10n * GWEI, p50: 20n * GWEI, p90: 50n * GWEI })
    expect(snap.nextBaseFee).not.toBeNull()
    expect(snap.priorityFee).toBe(0n) // empty blocks: no tips paid

    // a spike: the next refresh fetches only the new block and rolls the window
    await anvilRpc(anvil.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${(500n * GWEI).toString(16)}`])
    await anvilRpc(anvil.rpcUrl, 'evm_mine')
    const spiked = await oracle.refresh()
    expect(spiked.baseFee).toBe(500n * GWEI)
    expect(spiked.percentiles?.p90).toBe(500n * GWEI)
    expect(spiked.percentiles?.p10).toBe(20n * GWEI)

    // no new block for longer than maxBlockAgeMs: stale, and the figures are still shown but flagged
    clock += 120_000
    const idle = await oracle.refresh()
    expect(idle.status).toBe('stale')
    expect(idle.reason).toMatch(/head block is \d+ s old/)

    await anvil.stop()
    const dead = await oracle.refresh()
    expect(dead.status).toBe('stale')
    expect(dead.reason).toMatch(/last fee refresh failed/)
    expect(dead.reason).not.toMatch(/\/\/127\.0\.0\.1:\d+\/./) // no URL path leaks
    clock += 400_000
    expect(oracle.snapshot()).toMatchObject({
      status: 'unavailable',
      baseFee: null,
      percentiles: null,
      priorityFee: null,
    })
  })
})

describe('gas oracle fed from a recorded trace', () => {
  it('matches an independent percentile computation on the real PEPE base fees', () => {
    const trace = readBaseFeeTrace(join(import.meta.dirname, '../../data/market/eth_basefee_2023-05-03_pepe.csv'))
    expect(trace).toHaveLength(14_651)
    let clock = 0
    const oracle = createGasOracle({ config: { chainId: 1, windowBlocks: 300 }, now: () => clock })
    const slice = trace.slice(1000, 1600)
    for (const s of slice) {
      clock = s.timestamp * 1000
      oracle.ingest([s])
    }
    const window = slice
      .slice(-300)
      .map((s) => s.baseFeePerGas)
      .sort((a, b) => (a < b ? -1 : 1))
    const snap = oracle.snapshot()
    expect(snap).toMatchObject({ status: 'fresh', samples: 300, baseFee: slice[599]!.baseFeePerGas })
    expect(snap.percentiles).toEqual({ p10: window[29], p25: window[74], p50: window[149], p90: window[269] })
    expect(snap.quantiles).toHaveLength(21)
    expect(snap.quantiles![0]).toBe(window[0])
    expect(snap.quantiles![2]).toBe(window[29]) // p10
    expect(snap.quantiles![20]).toBe(window[299])
    expect(oracle.percentile(0)).toBe(window[0])
    expect(oracle.percentile(100)).toBe(window[299])
    // older or duplicate blocks are ignored
    oracle.ingest([trace[0]!, slice[599]!])
    expect(oracle.snapshot().samples).toBe(300)
    // the simulated clock moving on without data makes it stale
    clock += 5 * 60_000
    expect(oracle.snapshot().status).toBe('stale')
  })
})
