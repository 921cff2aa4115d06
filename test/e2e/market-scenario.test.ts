// The composed bot on the embedded devnet: a gas spike delays the plan, a volatility burst thins a recurring job,
// failures trip the breaker, which halts dispatch, survives a restart and resets after its timeout.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { createWalletClient, erc20Abi, http, parseEther, parseUnits } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS, anvilRpc } from '../../src/devnet/anvil.ts'
import { createBotRuntime, type BotRuntime } from '../../src/bot/runtime.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { parseConfig } from '../../src/config/load.ts'
import { routerAbi } from '../../protocols/uniswap-v2/abi.ts'

const G = 1_000_000_000n
const dir = mkdtempSync(join(tmpdir(), 'bot-scenario-'))
const open: BotRuntime[] = []
// One devnet for both runtimes: the restart below is a restart of the bot on the same chains.
let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: join(dir, 'addresses.json') })
})
afterAll(async () => {
  for (const rt of open) await rt.close({ graceMs: 0 }).catch(() => undefined)
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const plan = (path: string) =>
  parseConfig(
    {
      preset: 'devnet-demo',
      store: { path },
      risk: {
        maxGasPrice: '50 gwei',
        volatility: { window: '2m', thresholds: { medium: 0.01, high: 0.03 } },
        breaker: { consecutiveFailures: 3 },
        circuitBreakerTimeout: '2s',
      },
      jobs: [
        {
          id: 'wrap-eth',
          taskType: 'protocol_call',
          args: {
            adapter: 'weth',
            wallet: 'demo',
            params: { chainId: 31337, action: 'wrap', amount: '1000000000000000000 wei' },
          },
        },
        {
          id: 'swap-weth-usdc',
          taskType: 'protocol_call',
          dependencies: ['wrap-eth'],
          gasCap: '30 gwei',
          maxDelay: '10m',
          args: {
            adapter: 'uniswap-v2',
            wallet: 'demo',
            params: {
              chainId: 31337,
              tokenIn: 'WETH',
              tokenOut: 'USDC',
              amountIn: '500000000000000000 wei',
              slippageBps: 50,
            },
          },
        },
        {
          id: 'deposit-vault',
          taskType: 'protocol_call',
          dependencies: ['swap-weth-usdc'],
          args: {
            adapter: 'erc4626',
            wallet: 'demo',
            params: { chainId: 31337, vault: 'vUSDC', action: 'deposit', amount: '500000000 wei' },
          },
        },
        {
          id: 'bridge-to-l2',
          taskType: 'protocol_call',
          dependencies: ['deposit-vault'],
          args: {
            adapter: 'op-bridge',
            wallet: 'demo',
            params: {
              fromChainId: 31337,
              toChainId: 31338,
              token: 'ETH',
              amount: '100000000000000000 wei',
              arrivalTimeoutSeconds: 60,
            },
          },
        },
        {
          id: 'pulse',
          taskType: 'noop',
          trigger: { type: 'interval', every: 1, unit: 's' },
          enabled: false,
          metadata: { gasSensitive: true, chainId: 31337 },
        },
        {
          id: 'broken',
          taskType: 'protocol_call',
          maxRetries: 0,
          args: {
            adapter: 'weth',
            wallet: 'demo',
            params: { chainId: 31337, action: 'unwrap', amount: '999000000000000000000000 wei' },
          },
        },
      ],
    },
    'scenario',
  )

const waitFor = async (what: string, cond: () => boolean | Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
const tick = async (rt: BotRuntime) => {
  const a = await rt.risk.assessCurrentRisk()
  rt.facade.scheduleDynamically({ now: a.at, gas: a.gas }, a)
  return a
}

describe('market-aware scheduling on the devnet', () => {
  it('delays the plan under a gas spike, thins under volatility, halts on failures until the breaker resets', async () => {
    const path = join(dir, 'state.db')
    const config = await plan(path)
    const rt = await createBotRuntime(config, { logger: pino({ level: 'silent' }), policy: { recheckMs: 100 }, devnet })
    open.push(rt)
    const d = rt.env.devnet!
    const a = d.addresses
    const demo = d.accounts[1]!.address
    const events: { kind: string; jobId: string; reason?: string }[] = []
    for (const kind of ['delayed', 'held', 'skipped', 'started', 'succeeded', 'failed'] as const) {
      rt.scheduler.on(kind, (p) =>
        events.push({ kind, jobId: p.jobId, reason: 'reason' in p ? String(p.reason) : undefined }),
      )
    }
    const l2Before = await d.l2.client.getBalance({ address: demo })

    // 1. Gas spike on L1: every gas-sensitive job of the plan waits; nothing is sent.
    await anvilRpc(d.l1.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${(120n * G).toString(16)}`])
    await anvilRpc(d.l1.rpcUrl, 'evm_mine')
    const nonceBefore = await d.l1.client.getTransactionCount({ address: demo })
    const once = rt.scheduler.runOnce()
    await waitFor('a gas delay', () =>
      events.some((e) => e.kind === 'delayed' && e.jobId === 'wrap-eth' && /gas_above_cap/.test(e.reason ?? '')),
    )
    await new Promise((r) => setTimeout(r, 500))
    expect(events.some((e) => e.kind === 'started' && e.jobId === 'wrap-eth')).toBe(false)
    expect(await d.l1.client.getTransactionCount({ address: demo })).toBe(nonceBefore)

    // Gas falls; the next market tick re-decides and the whole plan runs.
    await anvilRpc(d.l1.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${G.toString(16)}`])
    await anvilRpc(d.l1.rpcUrl, 'evm_mine')
    await tick(rt)
    const summary = await once
    const status = Object.fromEntries(summary.runs.map((r) => [r.jobId, r.status]))
    expect(status).toMatchObject({
      'wrap-eth': 'succeeded',
      'swap-weth-usdc': 'succeeded',
      'deposit-vault': 'succeeded',
      'bridge-to-l2': 'succeeded',
      broken: 'failed',
    })
    const shares = await d.l1.client.readContract({
      address: a.l1.vaults.vUSDC,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [demo],
    })
    expect(shares).toBeGreaterThan(0n)
    expect(await d.l2.client.getBalance({ address: demo })).toBe(l2Before + parseEther('0.1'))

    // 2. Volatility burst: large swaps swing the WETH/USDC pool between ticks; the recurring gas-sensitive job thins.
    const whale = privateKeyToAccount(ANVIL_TEST_KEYS[3])
    const w = createWalletClient({ account: whale, chain: d.l1.chain, transport: http(d.l1.rpcUrl) })
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 600)
    await w.writeContract({
      address: a.l1.tokens.USDC,
      abi: erc20Abi,
      functionName: 'approve',
      args: [a.l1.uniswapV2Router02, 2n ** 200n],
    })
    for (let i = 0; i < 4; i++) {
      if (i % 2 === 0) {
        await w.writeContract({
          address: a.l1.uniswapV2Router02,
          abi: routerAbi,
          functionName: 'swapExactETHForTokens',
          value: parseEther('400'),
          args: [1n, [a.l1.weth, a.l1.tokens.USDC], whale.address, deadline],
        })
      } else {
        const usdc = await d.l1.client.readContract({
          address: a.l1.tokens.USDC,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [whale.address],
        })
        await w.writeContract({
          address: a.l1.uniswapV2Router02,
          abi: routerAbi,
          functionName: 'swapExactTokensForETH',
          args: [usdc, 1n, [a.l1.tokens.USDC, a.l1.weth], whale.address, deadline],
        })
      }
      await tick(rt)
      await new Promise((r) => setTimeout(r, 1_100))
    }
    expect((await tick(rt)).volatility.level).toBe('high')
    rt.scheduler.enable('pulse')
    await rt.start()
    await waitFor('a thinned pulse', () =>
      events.some((e) => e.kind === 'skipped' && e.jobId === 'pulse' && /thinned/.test(e.reason ?? '')),
    )
    await waitFor('a kept pulse', () => events.some((e) => e.kind === 'succeeded' && e.jobId === 'pulse'))
    rt.scheduler.disable('pulse')

    // 3. Three failures in a row trip the breaker; non-critical work is held.
    for (let i = 0; i < 3; i++) {
      const id = rt.scheduler.runNow('broken')
      await waitFor('broken failed', () => rt.scheduler.getRun(id)?.status === 'failed')
    }
    const tripped = await tick(rt)
    expect(tripped.circuitBreaker.state).toBe('open')
    expect(tripped.circuitBreaker.causes.map((c) => c.kind)).toContain('consecutive_failures')
    await rt.close({ graceMs: 0 })

    // The trip survives a restart; a held run waits for the reset after circuitBreakerTimeout (2 s).
    const rt2 = await createBotRuntime(config, {
      logger: pino({ level: 'silent' }),
      policy: { recheckMs: 100 },
      devnet,
    })
    open.push(rt2)
    expect(rt2.breaker.status().state).toBe('open')
    const held: string[] = []
    rt2.scheduler.on('held', (p) => held.push(p.reason))
    await rt2.start()
    const run = rt2.scheduler.runNow('wrap-eth')
    await waitFor('a breaker hold', () => held.some((r) => /breaker_open/.test(r)))
    expect(rt2.scheduler.getRun(run)?.status).toBe('held')
    await new Promise((r) => setTimeout(r, 2_100))
    await tick(rt2)
    await waitFor('the held run to finish', () => rt2.scheduler.getRun(run)?.status === 'succeeded')
    expect(rt2.breaker.status().state).toBe('closed')
    expect(rt2.breaker.events().map((e) => e.kind)).toEqual(expect.arrayContaining(['trip', 'reset']))
  })
})
