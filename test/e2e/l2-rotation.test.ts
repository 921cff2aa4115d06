// The l2-rotation preset under `bot --once` on the devnet: bridge to L2, swap on Uniswap V3, supply to Aave, withdraw, bridge back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { erc20Abi, parseEther, type Address, type Hash } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS } from '../../src/devnet/anvil.ts'
import { startDevnet, type Devnet, type DevnetChain } from '../../src/devnet/devnet.ts'
import { ROOT, runBot } from './run-bot.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-l2-rotation-'))
/** Each test runs the binary through five jobs, two of them bridge arrivals: room for a loaded 2-core machine. */
const BOT_TEST_MS = 150_000
let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: join(dir, 'addresses.json'), aaveV3: true, relayerPollMs: 100 })
})
afterAll(async () => {
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const JOBS = ['bridge-to-l2', 'swap-on-l2', 'supply-on-l2', 'withdraw-on-l2', 'bridge-back'] as const
type Report = {
  ok: boolean
  jobs: {
    jobId: string
    status: string
    dryRun?: {
      calls: { chainId: number; contract?: string; function?: string }[]
      balanceChanges: { chainId: number; token: string; delta: string }[]
    }
  }[]
}

/** The preset's plan against the devnet started above (not embedded), so balances can be read after the bot exits. */
function liveConfig(): string {
  const a = devnet.addresses
  const preset = JSON.parse(readFileSync(join(ROOT, 'config/presets/l2-rotation.json'), 'utf8')) as Record<
    string,
    unknown
  >
  const l2 = a.l2
  const config = {
    ...preset,
    devnet: undefined,
    store: { path: join(dir, 'live.db') },
    addressBook: join(dir, 'addresses.json'),
    wallets: [{ name: 'rotator', privateKeyEnv: 'ROTATION_KEY' }],
    chains: [
      {
        id: a.l1.chainId,
        name: 'l1',
        rpcUrls: [a.l1.rpcUrl],
        multicall: a.l1.multicall,
        allowlist: [a.l1.l1StandardBridge],
        caps: { maxValuePerTx: '1', dailyNative: '5' },
      },
      {
        id: l2.chainId,
        name: 'l2',
        rpcUrls: [l2.rpcUrl],
        multicall: l2.multicall,
        allowlist: [l2.uniswapV3!.swapRouter02, l2.tokens.USDC, l2.aaveV3!.aaveV3Pool, l2.acrossSpokePool!],
        caps: { maxValuePerTx: '1', dailyNative: '5', dailyTokens: { USDC: '5000' } },
      },
    ],
  }
  const path = join(dir, 'live.json')
  writeFileSync(path, JSON.stringify(config))
  return path
}

/** The transaction hashes each succeeded job sent, from the bot's own store. */
function sentBy(db: string): Map<string, Hash[]> {
  const d = new Database(db, { readonly: true })
  try {
    const rows = d.prepare("SELECT job_id, result_json FROM runs WHERE status = 'succeeded'").all() as {
      job_id: string
      result_json: string
    }[]
    return new Map(
      rows.map((r) => [
        r.job_id,
        ((JSON.parse(r.result_json) as { calls?: { hash: Hash }[] }).calls ?? []).map((c) => c.hash),
      ]),
    )
  } finally {
    d.close()
  }
}

const balance = (c: DevnetChain, token: Address | 'ETH', owner: Address, blockNumber?: bigint) =>
  token === 'ETH'
    ? c.client.getBalance({ address: owner, blockNumber })
    : c.client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner], blockNumber })

describe('l2-rotation preset', () => {
  it(
    'bridges ETH to L2, swaps it to USDC on V3, supplies and withdraws on Aave, bridges USDC back: each effect on chain',
    async () => {
      const a = devnet.addresses
      const wallet = devnet.accounts[2]!.address
      const aUsdc = a.l2.aaveV3!.reserves.USDC.aToken
      const before = {
        l1Eth: await balance(devnet.l1, 'ETH', wallet),
        l1Usdc: await balance(devnet.l1, a.l1.tokens.USDC, wallet),
        l2Eth: await balance(devnet.l2, 'ETH', wallet),
        l2Usdc: await balance(devnet.l2, a.l2.tokens.USDC, wallet),
      }
      const r = await runBot(['--once', '--json', '--config', liveConfig()], { ROTATION_KEY: ANVIL_TEST_KEYS[2] })
      expect(r.code, r.stderr.slice(-1500)).toBe(0)
      const report = JSON.parse(r.stdout) as Report
      expect(report.ok).toBe(true)
      const statuses = Object.fromEntries(report.jobs.map((j) => [j.jobId, j.status]))
      for (const job of JOBS) expect(statuses[job], job).toBe('succeeded')

      const sent = sentBy(join(dir, 'live.db'))
      const blockOf = async (c: DevnetChain, job: string) =>
        (await c.client.getTransactionReceipt({ hash: sent.get(job)!.at(-1)! })).blockNumber
      // Bridge: 0.5 ETH (plus gas) left L1, and exactly 0.5 ETH arrived on L2 before the wallet's first L2 transaction.
      const l1Bridge = await blockOf(devnet.l1, 'bridge-to-l2')
      expect(before.l1Eth - (await balance(devnet.l1, 'ETH', wallet, l1Bridge))).toBeGreaterThan(parseEther('0.5'))
      const swapBlock = await blockOf(devnet.l2, 'swap-on-l2')
      expect((await balance(devnet.l2, 'ETH', wallet, swapBlock - 1n)) - before.l2Eth).toBe(parseEther('0.5'))
      // Swap: 0.4 ETH bought ~1200 USDC at the seeded 3000 (0.05% tier, little impact).
      const swapped = (await balance(devnet.l2, a.l2.tokens.USDC, wallet, swapBlock)) - before.l2Usdc
      expect(swapped).toBeGreaterThan(1_190_000_000n)
      expect(swapped).toBeLessThan(1_200_000_000n)
      // Supply: 1000 USDC became 1000 aUSDC.
      const supplyBlock = await blockOf(devnet.l2, 'supply-on-l2')
      expect(await balance(devnet.l2, aUsdc, wallet, supplyBlock)).toBe(1_000_000_000n)
      expect(await balance(devnet.l2, a.l2.tokens.USDC, wallet, supplyBlock)).toBe(
        before.l2Usdc + swapped - 1_000_000_000n,
      )
      // Withdraw "max": the aTokens are gone and the USDC (with any interest accrued) is back.
      const withdrawBlock = await blockOf(devnet.l2, 'withdraw-on-l2')
      expect(await balance(devnet.l2, aUsdc, wallet, withdrawBlock)).toBe(0n)
      const afterWithdraw = await balance(devnet.l2, a.l2.tokens.USDC, wallet, withdrawBlock)
      expect(afterWithdraw).toBeGreaterThanOrEqual(before.l2Usdc + swapped)
      // Bridge back over Across: 1000 USDC left L2, 999 (less the 10 bps fee) arrived on L1.
      expect(await balance(devnet.l2, a.l2.tokens.USDC, wallet)).toBe(afterWithdraw - 1_000_000_000n)
      expect((await balance(devnet.l1, a.l1.tokens.USDC, wallet)) - before.l1Usdc).toBe(999_000_000n)
    },
    BOT_TEST_MS,
  )

  it(
    'its dry run names each call by contract and function and shows the token deltas per job',
    async () => {
      // The preset exactly as shipped: the bot starts its embedded devnet and dry-runs the plan on forks of it.
      const path = join(dir, 'dry.json')
      writeFileSync(path, JSON.stringify({ preset: 'l2-rotation', store: { path: join(dir, 'dry.db') } }))
      const r = await runBot(['--once', '--dry-run', '--json', '--config', path])
      expect(r.code, r.stderr.slice(-1500)).toBe(0)
      const jobs = new Map((JSON.parse(r.stdout) as Report).jobs.map((j) => [j.jobId, j]))
      const [L1, L2] = [31337, 31338]
      const expected: Record<(typeof JOBS)[number], { calls: string[]; deltas: [number, string, RegExp][] }> = {
        'bridge-to-l2': {
          calls: ['l1StandardBridge.depositETH'],
          deltas: [
            [L1, 'ETH', /^-50\d{16}$/],
            [L2, 'ETH', /^500000000000000000$/],
          ],
        },
        'swap-on-l2': {
          calls: ['swapRouter02.multicall'],
          deltas: [
            [L2, 'ETH', /^-40\d{16}$/],
            [L2, 'USDC', /^119\d{7}$/],
          ],
        },
        'supply-on-l2': { calls: ['USDC.approve', 'aaveV3Pool.supply'], deltas: [[L2, 'USDC', /^-1000000000$/]] },
        'withdraw-on-l2': { calls: ['aaveV3Pool.withdraw'], deltas: [[L2, 'USDC', /^100000\d{4}$/]] },
        'bridge-back': {
          calls: ['USDC.approve', 'acrossSpokePool.depositV3Now'],
          deltas: [
            [L2, 'USDC', /^-1000000000$/],
            [L1, 'USDC', /^999000000$/],
          ],
        },
      }
      for (const [id, want] of Object.entries(expected)) {
        const job = jobs.get(id)!
        expect(job.status, id).toBe('succeeded')
        expect(
          job.dryRun!.calls.map((c) => `${c.contract}.${c.function}`),
          id,
        ).toEqual(want.calls)
        for (const [chainId, token, delta] of want.deltas) {
          const got = job.dryRun!.balanceChanges.find((b) => b.chainId === chainId && b.token === token)
          expect(got?.delta, `${id} ${token} on ${chainId}`).toMatch(delta)
        }
      }
    },
    BOT_TEST_MS,
  )
})
