// The real `bot` binary runs the swap-and-lend preset (Uniswap V3 swap into the vault) on the embedded devnet, and its dry run reports decoded calls.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeFunctionData, erc20Abi, getAddress, type Hex } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { swapRouter02Abi } from '../../protocols/uniswap-v3/abi.ts'
import { runBot } from './run-bot.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-swap-lend-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const configAt = (name: string) => {
  const path = join(dir, `${name}.json`)
  writeFileSync(path, JSON.stringify({ preset: 'swap-and-lend', store: { path: join(dir, `${name}.db`) } }))
  return path
}

type Report = {
  ok: boolean
  jobs: {
    jobId: string
    status: string
    error?: string
    dryRun?: {
      calls: { to: string; value: string; data: Hex; contract?: string; function?: string }[]
      balanceChanges?: { token: string; delta: string; formatted?: string }[]
      slippageBps?: number
    }
  }[]
}

describe('swap-and-lend preset under bot --once', () => {
  it('wraps, swaps WETH->USDC on Uniswap V3 and deposits the proceeds; every job succeeds', async () => {
    const config = configAt('once')
    const once = await runBot(['--once', '--json', '--config', config])
    expect(once.code, once.stderr.slice(-1500)).toBe(0)
    const report = JSON.parse(once.stdout) as Report
    expect(report.ok).toBe(true)
    const byJob = new Map(report.jobs.map((j) => [j.jobId, j.status]))
    for (const job of ['market-tick', 'wrap-eth', 'daily-swap', 'lend-proceeds', 'rebalance'])
      expect(byJob.get(job), job).toBe('succeeded')
  })

  it('the dry-run report decodes the swap as a SwapRouter02 multicall and shows the token deltas', async () => {
    const r = await runBot(['--once', '--dry-run', '--json', '--config', configAt('dry')])
    expect(r.code, r.stderr.slice(-1500)).toBe(0)
    const jobs = (JSON.parse(r.stdout) as Report).jobs
    const swap = jobs.find((j) => j.jobId === 'daily-swap')!
    expect(swap.status).toBe('succeeded')
    const [approve, call] = swap.dryRun!.calls
    expect(decodeFunctionData({ abi: erc20Abi, data: approve!.data })).toMatchObject({
      functionName: 'approve',
      args: [getAddress(call!.to), 200000000000000000n],
    })
    const outer = decodeFunctionData({ abi: swapRouter02Abi, data: call!.data })
    expect(outer.functionName).toBe('multicall')
    const inner = decodeFunctionData({ abi: swapRouter02Abi, data: (outer.args[1] as Hex[])[0]! })
    expect(inner.functionName).toBe('exactInputSingle')
    expect(inner.args[0]).toMatchObject({ fee: 500, amountIn: 200000000000000000n }) // the deeper 0.05% pool quotes best
    const delta = (t: string) => BigInt(swap.dryRun!.balanceChanges!.find((b) => b.token === t)?.delta ?? '0')
    expect(delta('WETH')).toBe(-200000000000000000n)
    expect(delta('USDC')).toBeGreaterThan(590_000_000n) // ~600 USDC for 0.2 WETH at 3000
    expect(swap.dryRun!.slippageBps).toBeGreaterThanOrEqual(0)
    expect(swap.dryRun!.slippageBps).toBeLessThanOrEqual(30)
    const lend = jobs.find((j) => j.jobId === 'lend-proceeds')!
    expect(lend.status).toBe('succeeded')
    // Each job's calls are named by the book's contract names and the decoded function.
    const named = (id: string) =>
      jobs.find((j) => j.jobId === id)!.dryRun!.calls.map((c) => `${c.contract}.${c.function}`)
    expect(named('wrap-eth')).toEqual(['WETH.deposit'])
    expect(named('daily-swap')).toEqual(['WETH.approve', 'swapRouter02.multicall'])
    expect(named('lend-proceeds')).toEqual(['USDC.approve', 'aaveV3Pool.supply'])
    const wrapped = jobs.find((j) => j.jobId === 'wrap-eth')!.dryRun!.balanceChanges!
    expect(wrapped.find((b) => b.token === 'WETH')?.delta).toBe('200000000000000000')
    // --json keeps exact base units next to the text a person reads.
    expect(wrapped.find((b) => b.token === 'WETH')?.formatted).toBe('+0.2 WETH')
    expect(wrapped.find((b) => b.token === 'ETH')?.formatted).toMatch(/^-0\.2\d* ETH$/)
    expect(BigInt(lend.dryRun!.balanceChanges!.find((b) => b.token === 'USDC')!.delta)).toBe(-500_000_000n) // 500 of the ~600 USDC proceeds
  })
})
