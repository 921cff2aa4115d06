// config/example.yaml end to end on the mainnet-shaped chains: check, keyless dry run, live once, effects on balances.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Wallet } from 'ethers'
import { parse, stringify } from 'yaml'
import { erc20Abi, parseEther, toHex, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { anvilRpc } from '../../src/devnet/anvil.ts'
import { startMainnetShaped, type MainnetShaped } from '../../src/devnet/mainnet/mainnet-shaped.ts'
import { runMain } from '../cli/helpers.ts'
import { ROOT, runBot } from './run-bot.ts'

const EXAMPLE = join(ROOT, 'config', 'example.yaml')
const PASSPHRASE = 'example e2e passphrase'
const dir = mkdtempSync(join(tmpdir(), 'bot-example-'))
let m: MainnetShaped
let ops: Address
let env: Record<string, string>
let miner: NodeJS.Timeout | undefined

beforeAll(async () => {
  m = await startMainnetShaped({ relayerPollMs: 100 })
  // An ethers-made keystore (light scrypt so the test stays fast; the bot reads the cost from the file).
  const wallet = Wallet.createRandom()
  ops = wallet.address as Address
  const keystore = join(dir, 'ops.json')
  writeFileSync(keystore, wallet.encryptSync(PASSPHRASE))
  chmodSync(keystore, 0o600)
  await anvilRpc(m.l1.rpcUrl, 'anvil_setBalance', [ops, toHex(parseEther('5'))])
  env = {
    ETH_RPC_URL: m.l1.rpcUrl,
    ETH_RPC_FALLBACK: m.l1.rpcUrl,
    BASE_RPC_URL: m.l2.rpcUrl,
    BASE_RPC_FALLBACK: m.l2.rpcUrl,
    BOT_OPS_KEYSTORE: keystore,
    BOT_DB: join(dir, 'bot.db'),
    BOT_KEYSTORE_PASSPHRASE: '',
  }
}, 90_000)
afterAll(async () => {
  if (miner) clearInterval(miner)
  await m?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const balances = async () => {
  const b = m.book[1]!
  const token = (a: Address) =>
    m.l1.client.readContract({ address: a, abi: erc20Abi, functionName: 'balanceOf', args: [ops] })
  return {
    block: await m.l1.client.getBlockNumber(),
    eth: await m.l1.client.getBalance({ address: ops }),
    weth: await token(b.tokens.WETH!.address),
    usdc: await token(b.tokens.USDC!.address),
  }
}

type Report = {
  ok: boolean
  dryRunMode?: { mode: string; keyless?: string[] }
  jobs: { jobId: string; status: string; dryRun?: { calls: { contract?: string; function?: string }[] } }[]
}
const statuses = (r: Report) => Object.fromEntries(r.jobs.map((j) => [j.jobId, j.status]))

describe('config/example.yaml on the mainnet-shaped chains', () => {
  it('bot check exits 0 with only the env vars set and the built-in book', async () => {
    // In process (the CLI's main, as the binary runs it): the binary's start-up is paid by the runs below.
    const r = await runMain(['check', '--config', EXAMPLE], { env: { PATH: process.env.PATH, ...env } })
    expect(r.code, r.stderr.slice(-1500)).toBe(0)
    expect(r.stdout).toMatch(/weekday-swap/)
  })

  it('bot --once --dry-run forks the chains and runs the plan without any key; the chains stay untouched', async () => {
    const before = await balances()
    const r = await runBot(['--once', '--dry-run', '--json', '--config', EXAMPLE], env)
    expect(r.code, r.stderr.slice(-2000)).toBe(0)
    const report = JSON.parse(r.stdout) as Report
    expect(report.dryRunMode).toEqual(expect.objectContaining({ mode: 'fork', keyless: ['ops'] }))
    expect(statuses(report)).toMatchObject({
      'market-tick': 'succeeded',
      'wrap-eth': 'succeeded',
      'weekday-swap': 'succeeded',
    })
    const calls = (id: string) =>
      report.jobs.find((j) => j.jobId === id)!.dryRun!.calls.map((c) => `${c.contract}.${c.function}`)
    expect(calls('wrap-eth')).toEqual(['WETH.deposit'])
    expect(calls('weekday-swap')).toContain('uniswapV2Router02.swapExactTokensForTokens')
    expect(await balances()).toEqual(before)
  })

  it('a live run refuses an address-only wallet with exit 2, before touching a chain', async () => {
    const path = join(dir, 'address-only.json')
    writeFileSync(
      path,
      JSON.stringify({
        chains: [{ id: 1, name: 'ethereum', rpcUrls: [m.l1.rpcUrl], allowlist: [m.book[1]!.contracts.weth] }],
        wallets: [{ name: 'ops', address: ops }],
        protocols: { weth: {} },
        jobs: [
          {
            id: 'wrap',
            taskType: 'protocol_call',
            args: { adapter: 'weth', wallet: 'ops', params: { chainId: 1, action: 'wrap', amount: '0.1' } },
          },
        ],
        store: { path: join(dir, 'address-only.db') },
      }),
    )
    const before = await balances()
    const r = await runMain(['--once', '--config', path], { env: { PATH: process.env.PATH, ...env } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/wallets\[0\].*has only an address: a live run needs its key/s)
    // Any other live path fails closed too, as bad input.
    const task = await runMain(['run-task', 'wrap', '--config', path], { env: { PATH: process.env.PATH, ...env } })
    expect(task.code).toBe(2)
    expect(task.stderr).toMatch(/wallet "ops" has an address but no key source/)
    expect(await balances()).toEqual(before)
  })

  it('bot --once runs every enabled job live; wrap then swap show on the balances', async () => {
    const before = await balances()
    // Chain 1 wants 2 confirmations: keep blocks coming while the bot waits for them.
    miner = setInterval(() => {
      void anvilRpc(m.l1.rpcUrl, 'evm_mine').catch(() => undefined)
      void anvilRpc(m.l2.rpcUrl, 'evm_mine').catch(() => undefined)
    }, 250)
    const r = await runBot(['--once', '--json', '--config', EXAMPLE], { ...env, BOT_KEYSTORE_PASSPHRASE: PASSPHRASE })
    clearInterval(miner)
    miner = undefined
    expect(r.code, r.stderr.slice(-2000)).toBe(0)
    expect(statuses(JSON.parse(r.stdout) as Report)).toMatchObject({
      'market-tick': 'succeeded',
      'wrap-eth': 'succeeded',
      'weekday-swap': 'succeeded',
    })
    const after = await balances()
    // wrap-eth: 0.2 ETH (plus gas) left the wallet as WETH; weekday-swap spent exactly that WETH for USDC.
    expect(before.eth - after.eth).toBeGreaterThan(parseEther('0.2'))
    expect(before.eth - after.eth).toBeLessThan(parseEther('0.21'))
    expect(after.weth).toBe(before.weth)
    // 0.2 WETH into 1000 WETH / 3,000,000 USDC at 0.3 % fee: ~598 USDC, at least the 30 bps slippage bound.
    const got = after.usdc - before.usdc
    expect(got).toBeGreaterThan(590_000_000n)
    expect(got).toBeLessThan(600_000_000n)
  })

  it('a keyless dry run of its bridge job reports the deposit without waiting for an arrival forks cannot see', async () => {
    const doc = parse(readFileSync(EXAMPLE, 'utf8')) as { jobs: Record<string, unknown>[] }
    const bridge = doc.jobs.find((j) => j.id === 'bridge-to-base')!
    doc.jobs = [{ ...bridge, enabled: true, dependencies: [] }]
    const path = join(dir, 'bridge-dry.yaml')
    writeFileSync(path, stringify(doc))
    const l2Before = await m.l2.client.getBalance({ address: ops })
    const r = await runBot(['--once', '--dry-run', '--json', '--config', path], { ...env, BOT_DB: join(dir, 'dry.db') })
    expect(r.code, r.stderr.slice(-2000)).toBe(0)
    const job = (JSON.parse(r.stdout) as Report).jobs.find((j) => j.jobId === 'bridge-to-base')!
    expect(job.status).toBe('succeeded')
    const calls = job.dryRun!.calls.map((c) => `${c.contract}.${c.function}`)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatch(/^l1StandardBridge\.8453\.depositETH/)
    expect((job.dryRun as { evidence?: string }).evidence).toMatch(/^arrival not checked: /)
    expect(await m.l2.client.getBalance({ address: ops })).toBe(l2Before)
  })

  it('its bridge-to-base job (disabled in the file) bridges 0.05 ETH to Base and succeeds on arrival', async () => {
    // The example's own job, switched on and run alone (its dependency already ran above) on a fresh database.
    const doc = parse(readFileSync(EXAMPLE, 'utf8')) as { jobs: Record<string, unknown>[] }
    const bridge = doc.jobs.find((j) => j.id === 'bridge-to-base')!
    doc.jobs = [{ ...bridge, enabled: true, dependencies: [] }]
    const path = join(dir, 'bridge.yaml')
    writeFileSync(path, stringify(doc))
    const l2Before = await m.l2.client.getBalance({ address: ops })
    const l1Before = await m.l1.client.getBalance({ address: ops })
    miner = setInterval(() => {
      void anvilRpc(m.l1.rpcUrl, 'evm_mine').catch(() => undefined)
      void anvilRpc(m.l2.rpcUrl, 'evm_mine').catch(() => undefined)
    }, 250)
    const r = await runBot(['--once', '--json', '--config', path], {
      ...env,
      BOT_DB: join(dir, 'bridge.db'),
      BOT_KEYSTORE_PASSPHRASE: PASSPHRASE,
    })
    clearInterval(miner)
    miner = undefined
    expect(r.code, r.stderr.slice(-2000)).toBe(0)
    expect(statuses(JSON.parse(r.stdout) as Report)).toMatchObject({ 'bridge-to-base': 'succeeded' })
    expect((await m.l2.client.getBalance({ address: ops })) - l2Before).toBe(parseEther('0.05'))
    const spent = l1Before - (await m.l1.client.getBalance({ address: ops }))
    expect(spent).toBeGreaterThan(parseEther('0.05'))
    expect(spent).toBeLessThan(parseEther('0.051'))
  })
})
