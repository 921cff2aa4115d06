// The swap-and-lend preset under `bot --once`: swap into USDC, supply it to Aave V3, rebalance over Aave and the vault.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { decodeEventLog, erc20Abi, parseAbi, parseUnits, type Hash } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS } from '../../src/devnet/anvil.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { ROOT, runBot } from './run-bot.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-swap-lend-'))
let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: join(dir, 'addresses.json'), relayer: false, aaveV3: true })
})
afterAll(async () => {
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

type Report = { ok: boolean; jobs: { jobId: string; status: string; error?: string }[] }
const results = (db: string) => {
  const d = new Database(db, { readonly: true })
  try {
    const rows = d.prepare("SELECT job_id, result_json FROM runs WHERE status = 'succeeded'").all() as {
      job_id: string
      result_json: string
    }[]
    return new Map(rows.map((r) => [r.job_id, JSON.parse(r.result_json) as Record<string, unknown>]))
  } finally {
    d.close()
  }
}
const supplyEvent = parseAbi([
  'event Supply(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint16 indexed referralCode)',
])

describe('swap-and-lend preset', () => {
  it('runs on the embedded devnet: the lend step supplies USDC to Aave V3 and the rebalance allocates to Aave', async () => {
    const path = join(dir, 'embedded.json')
    writeFileSync(path, JSON.stringify({ preset: 'swap-and-lend', store: { path: join(dir, 'embedded.db') } }))
    const r = await runBot(['--once', '--json', '--config', path])
    expect(r.code, r.stderr.slice(-1500)).toBe(0)
    const report = JSON.parse(r.stdout) as Report
    expect(report.ok).toBe(true)
    const statuses = Object.fromEntries(report.jobs.map((j) => [j.jobId, j.status]))
    for (const job of ['wrap-eth', 'daily-swap', 'lend-proceeds', 'rebalance', 'allocate_aave_v3', 'allocate_vusdc'])
      expect(statuses[job], job).toBe('succeeded')
    const byJob = results(join(dir, 'embedded.db'))
    const lend = byJob.get('lend-proceeds') as { adapter: string; calls: { label: string }[] }
    expect(lend.adapter).toBe('aave-v3')
    expect(lend.calls.map((c) => c.label)).toEqual(['approve 500 USDC to Aave v3 Pool', 'supply 500 USDC to Aave v3'])
    expect((byJob.get('rebalance') as { targets: { protocol: string }[] }).targets.map((t) => t.protocol)).toContain(
      'aave_v3',
    )
  })

  it('runs the same plan on a live devnet; the aToken balance shows the supplies', async () => {
    // The preset's jobs against the devnet started above, so its balances can be read after the bot exits.
    const a = devnet.addresses
    const m = a.l1.aaveV3!
    const preset = JSON.parse(readFileSync(join(ROOT, 'config/presets/swap-and-lend.json'), 'utf8')) as Record<
      string,
      unknown
    >
    const config = {
      ...preset,
      devnet: undefined,
      store: { path: join(dir, 'live.db') },
      addressBook: join(dir, 'addresses.json'),
      wallets: [{ name: 'main', privateKeyEnv: 'SWAP_LEND_KEY' }],
      chains: [
        {
          id: a.l1.chainId,
          name: 'l1',
          rpcUrls: [a.l1.rpcUrl],
          multicall: a.l1.multicall,
          allowlist: [a.l1.weth, a.l1.uniswapV3!.swapRouter02, a.l1.tokens.USDC, a.l1.vaults.vUSDC, m.aaveV3Pool],
          caps: { maxValuePerTx: '1', dailyNative: '5', dailyTokens: { USDC: '100000', WETH: '10' } },
        },
      ],
    }
    const path = join(dir, 'live.json')
    writeFileSync(path, JSON.stringify(config))
    const wallet = devnet.accounts[0]!.address
    const aUsdc = () =>
      devnet.l1.client.readContract({
        address: m.reserves.USDC.aToken,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [wallet],
      })
    expect(await aUsdc()).toBe(0n)
    const r = await runBot(['--once', '--json', '--config', path], { SWAP_LEND_KEY: ANVIL_TEST_KEYS[0] })
    expect(r.code, r.stderr.slice(-1500)).toBe(0)
    expect((JSON.parse(r.stdout) as Report).ok).toBe(true)
    // The lend step's supply transaction emitted the Pool's Supply event for 500 USDC on behalf of the wallet.
    const lend = results(join(dir, 'live.db')).get('lend-proceeds') as { calls: { label: string; hash: Hash }[] }
    const receipt = await devnet.l1.client.getTransactionReceipt({ hash: lend.calls.at(-1)!.hash })
    const supplies = receipt.logs
      .filter((l) => l.address.toLowerCase() === m.aaveV3Pool.toLowerCase())
      .flatMap((l) => {
        try {
          return [decodeEventLog({ abi: supplyEvent, ...l })]
        } catch {
          return []
        }
      })
    expect(supplies.map((e) => [e.args.reserve, e.args.onBehalfOf, e.args.amount])).toEqual([
      [a.l1.tokens.USDC, wallet, 500_000_000n],
    ])
    // The rebalance targets 20,000 USDC in Aave: it read the position before or after the 500 USDC supply.
    const held = await aUsdc()
    expect(held).toBeGreaterThanOrEqual(parseUnits('20000', 6))
    expect(held).toBeLessThanOrEqual(parseUnits('20500', 6) + 1_000n)
  })
})
