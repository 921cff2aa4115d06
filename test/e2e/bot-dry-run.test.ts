// `bot --once --dry-run` against a running devnet: the plan runs on anvil forks and the real chains stay untouched.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { erc20Abi } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS } from '../../src/devnet/anvil.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { startFaultProxy } from '../helpers/fault-proxy.ts'
import { runBot } from './run-bot.ts'

let devnet: Devnet
const dir = mkdtempSync(join(tmpdir(), 'bot-dry-'))
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: join(dir, 'addresses.json') })
})
afterAll(async () => {
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('bot --dry-run on forks', () => {
  it('reports calls and balance changes while the real chains keep their blocks and balances', async () => {
    const a = devnet.addresses
    const wallet = devnet.accounts[2]!.address
    const allow = [a.l1.weth, a.l1.uniswapV2Router02, a.l1.tokens.USDC, a.l1.vaults.vUSDC, a.l1.l1StandardBridge]
    const config = {
      chains: [
        {
          id: a.l1.chainId,
          name: 'l1',
          rpcUrls: [a.l1.rpcUrl],
          allowlist: allow,
          caps: { maxValuePerTx: '5', dailyNative: '20', dailyTokens: { USDC: '100000', WETH: '10' } },
        },
        { id: a.l2.chainId, name: 'l2', rpcUrls: [a.l2.rpcUrl], allowlist: [a.l2.l2StandardBridge] },
      ],
      wallets: [{ name: 'ops', privateKeyEnv: 'DRY_RUN_KEY' }],
      addressBook: join(dir, 'addresses.json'),
      protocols: { 'uniswap-v2': {}, erc4626: {} },
      jobs: [
        {
          id: 'swap',
          taskType: 'protocol_call',
          args: {
            adapter: 'uniswap-v2',
            wallet: 'ops',
            params: {
              chainId: a.l1.chainId,
              tokenIn: 'ETH',
              tokenOut: 'USDC',
              amountIn: '1000000000000000000 wei',
              slippageBps: 100,
            },
          },
        },
        {
          id: 'deposit',
          taskType: 'protocol_call',
          dependencies: ['swap'],
          args: {
            adapter: 'erc4626',
            wallet: 'ops',
            params: { chainId: a.l1.chainId, vault: 'vUSDC', action: 'deposit', amount: '1000000000 wei' },
          },
        },
      ],
      store: { path: join(dir, 'state.db') },
    }
    const path = join(dir, 'config.json')
    writeFileSync(path, JSON.stringify(config))
    const client = devnet.l1.client
    const usdc = () =>
      client.readContract({ address: a.l1.tokens.USDC, abi: erc20Abi, functionName: 'balanceOf', args: [wallet] })
    const before = {
      block: await client.getBlockNumber(),
      eth: await client.getBalance({ address: wallet }),
      usdc: await usdc(),
    }

    const r = await runBot(['--once', '--dry-run', '--json', '--config', path], { DRY_RUN_KEY: ANVIL_TEST_KEYS[2] })
    expect(r.code, r.stderr.slice(-1500)).toBe(0)
    const report = JSON.parse(r.stdout) as {
      dryRunMode: { mode: string }
      jobs: {
        jobId: string
        status: string
        dryRun?: {
          calls: { to: string; gas?: string; contract?: string; function?: string; value: string }[]
          balanceChanges?: { token: string; delta: string }[]
          slippageBps?: number
        }
      }[]
    }
    expect(report.dryRunMode.mode).toBe('fork')
    const swap = report.jobs.find((j) => j.jobId === 'swap')!
    expect(swap.status).toBe('succeeded')
    expect(swap.dryRun!.calls.length).toBeGreaterThan(0)
    expect(BigInt(swap.dryRun!.balanceChanges!.find((b) => b.token === 'USDC')!.delta)).toBeGreaterThan(0n)
    // Received within the 100 bps bound of the quote (the fork's pool did not move in between).
    expect(swap.dryRun!.slippageBps).toBeGreaterThanOrEqual(0)
    expect(swap.dryRun!.slippageBps).toBeLessThanOrEqual(100)
    const deposit = report.jobs.find((j) => j.jobId === 'deposit')!
    expect(deposit.status).toBe('succeeded')
    expect(deposit.dryRun!.calls.map((c) => c.to.toLowerCase())).toContain(a.l1.vaults.vUSDC.toLowerCase())
    // Calls are named from the address book and decoded from the ABIs; --json keeps exact base units.
    expect(swap.dryRun!.calls).toContainEqual(
      expect.objectContaining({
        contract: 'uniswapV2Router02',
        function: 'swapExactETHForTokens',
        value: '1000000000000000000',
      }),
    )
    expect(deposit.dryRun!.calls.map((c) => `${c.contract}.${c.function}`)).toEqual(['USDC.approve', 'vUSDC.deposit'])
    const text = await runBot(['--once', '--dry-run', '--config', path], { DRY_RUN_KEY: ANVIL_TEST_KEYS[2] })
    expect(text.code, text.stderr.slice(-1500)).toBe(0)
    expect(text.stdout).toMatch(
      /uniswapV2Router02\.swapExactETHForTokens \(0x[0-9a-fA-F]{40}\) on chain \d+: value 1 ETH, gas [\d,]+, fee up to [\d.]+ ETH \([\d.]+ gwei per gas\)/,
    )

    expect(await client.getBlockNumber()).toBe(before.block)
    expect(await client.getBalance({ address: wallet })).toBe(before.eth)
    expect(await usdc()).toBe(before.usdc)
  })

  it('falls back to per-call simulation when the chain cannot be forked, says so, and signs nothing', async () => {
    const a = devnet.addresses
    const wallet = devnet.accounts[3]!.address
    // anvil 1.7.1 tries the fork's first request 6 times; failing exactly those makes forking impossible while
    // every later call (the bot's own reads and simulations) passes.
    const proxy = await startFaultProxy({ target: a.l1.rpcUrl })
    proxy.addRule({ fault: { kind: 'http', status: 503 }, times: 6 })
    try {
      const config = {
        chains: [
          {
            id: a.l1.chainId,
            name: 'l1',
            rpcUrls: [proxy.url],
            allowlist: [a.l1.uniswapV2Router02],
            caps: { maxValuePerTx: '5', dailyNative: '20' },
          },
        ],
        wallets: [{ name: 'ops', privateKeyEnv: 'DRY_RUN_KEY' }],
        addressBook: join(dir, 'addresses.json'),
        protocols: { 'uniswap-v2': {} },
        jobs: [
          {
            id: 'swap',
            taskType: 'protocol_call',
            args: {
              adapter: 'uniswap-v2',
              wallet: 'ops',
              params: {
                chainId: a.l1.chainId,
                tokenIn: 'ETH',
                tokenOut: 'USDC',
                amountIn: '1000000000000000000 wei',
                slippageBps: 100,
              },
            },
          },
        ],
        store: { path: join(dir, 'state-sim.db') },
      }
      const path = join(dir, 'config-sim.json')
      writeFileSync(path, JSON.stringify(config))
      const client = devnet.l1.client
      const before = {
        block: await client.getBlockNumber(),
        nonce: await client.getTransactionCount({ address: wallet }),
      }
      const r = await runBot(['--once', '--dry-run', '--json', '--config', path], { DRY_RUN_KEY: ANVIL_TEST_KEYS[3] })
      expect(r.code, r.stderr.slice(-1500)).toBe(0)
      const report = JSON.parse(r.stdout) as {
        dryRunMode: { mode: string; note?: string }
        jobs: { jobId: string; status: string; dryRun?: { mode: string; calls: { to: string; gas?: string }[] } }[]
      }
      expect(report.dryRunMode.mode).toBe('simulation')
      expect(report.dryRunMode.note).toMatch(/no fork available/)
      const swap = report.jobs.find((j) => j.jobId === 'swap')!
      expect(swap.status).toBe('succeeded')
      expect(swap.dryRun!.calls.map((c) => c.to.toLowerCase())).toContain(a.l1.uniswapV2Router02.toLowerCase())
      expect(await client.getBlockNumber()).toBe(before.block)
      expect(await client.getTransactionCount({ address: wallet })).toBe(before.nonce)
    } finally {
      await proxy.close()
    }
  })
})
