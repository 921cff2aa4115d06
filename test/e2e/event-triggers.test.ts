// Event triggers on the embedded devnet: a price feed update, base-fee changes and an emitted log each fire their
// job once per crossing (or once per new log), through the real watcher, market tick and scheduler.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { createWalletClient, http, parseAbi, parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS, anvilRpc } from '../../src/devnet/anvil.ts'
import { waitForRun } from '../../src/bot/once.ts'
import { createBotRuntime, type BotRuntime } from '../../src/bot/runtime.ts'
import { parseConfig } from '../../src/config/load.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-events-'))
const feedAbi = parseAbi([
  'function updateAnswer(int256 answer)',
  'event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)',
])
let rt: BotRuntime
afterAll(async () => {
  await rt?.close({ graceMs: 0 })
  rmSync(dir, { recursive: true, force: true })
})

beforeAll(async () => {
  const event = 'AnswerUpdated(int256,uint256,uint256)'
  const noop = (id: string, on: unknown) => ({ id, taskType: 'noop', trigger: { type: 'event', on } })
  const config = await parseConfig(
    {
      store: { path: join(dir, 'state.db') },
      housekeeping: { enabled: false },
      backup: { trigger: 'manual' },
      jobs: [
        { id: 'tick', taskType: 'market_tick', trigger: 'manual' },
        noop('on-price', { kind: 'price', feed: 'devnet-eth-usd', above: 3100 }),
        noop('on-gas', { kind: 'gas', chainId: 31337, belowGwei: 0.5 }),
        // Placeholder address, replaced once the devnet is up (the config validates its shape only).
        noop('on-log', { kind: 'log', chainId: 31337, address: '0x0000000000000000000000000000000000000001', event }),
      ],
    },
    'events-test',
  )
  rt = await createBotRuntime(config, { logger: pino({ level: 'silent' }) })
  const feed = rt.env.devnet!.addresses.l1.priceFeeds.ETH_USD
  rt.scheduler.addJob(
    {
      id: 'on-log',
      taskType: 'noop',
      trigger: { type: 'event', on: { kind: 'log', chainId: 31337, address: feed, event } },
    },
    { ifExists: 'replace' },
  )
  await rt.start()
}, 180_000)

const succeeded = (jobId: string) => rt.scheduler.listRuns({ jobId, status: 'succeeded', limit: 100 }).runs.length
const tick = async () => {
  const r = await waitForRun(rt, rt.scheduler.runNow('tick'), AbortSignal.timeout(30_000))
  expect(r.status).toBe('succeeded')
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('event triggers on the devnet', () => {
  it('a price crossing fires once per crossing; each feed update log fires its log job', async () => {
    const d = rt.env.devnet!
    const owner = createWalletClient({
      account: privateKeyToAccount(ANVIL_TEST_KEYS[0] as `0x${string}`),
      chain: d.l1.chain,
      transport: http(d.l1.rpcUrl),
    })
    const feed = d.addresses.l1.priceFeeds.ETH_USD
    const update = async (usd: bigint) => {
      const hash = await owner.writeContract({
        address: feed,
        abi: feedAbi,
        functionName: 'updateAnswer',
        args: [usd * 10n ** 8n],
      })
      await d.l1.client.waitForTransactionReceipt({ hash })
    }
    expect(rt.scheduler.getJob('on-price')!.trigger).toBe('on price feed=devnet-eth-usd above=3100')
    await sleep(1_000)
    await tick()
    expect([succeeded('on-price'), succeeded('on-log')]).toEqual([0, 0])

    await update(3200n)
    await expect.poll(() => succeeded('on-log'), { timeout: 10_000 }).toBe(1)
    await tick()
    await expect.poll(() => succeeded('on-price'), { timeout: 10_000 }).toBe(1)
    await tick()
    await sleep(500)
    expect(succeeded('on-price')).toBe(1)

    await update(3000n)
    await expect.poll(() => succeeded('on-log'), { timeout: 10_000 }).toBe(2)
    await tick()
    await update(3300n)
    await expect.poll(() => succeeded('on-log'), { timeout: 10_000 }).toBe(3)
    await tick()
    await expect.poll(() => succeeded('on-price'), { timeout: 10_000 }).toBe(2)
    const reason = rt.scheduler.listRuns({ jobId: 'on-price', limit: 1 }).runs[0]!.reason
    expect(reason).toBe('event: price devnet-eth-usd 3300 > 3100')
    expect(rt.scheduler.explain('on-log').reasons.join('\n')).toMatch(/event trigger: runs on log .*; last fired 20/)
  }, 120_000)

  it('a base fee falling below the level fires once per crossing', async () => {
    const url = rt.env.devnet!.l1.rpcUrl
    const baseFee = async (gwei: string) => {
      await anvilRpc(url, 'anvil_setNextBlockBaseFeePerGas', [`0x${parseGwei(gwei).toString(16)}`])
      await anvilRpc(url, 'evm_mine')
      await sleep(600)
    }
    // Start from a base fee well above the level: earlier blocks may already have crossed it once.
    await baseFee('5')
    const n0 = succeeded('on-gas')
    await baseFee('0.2')
    await expect.poll(() => succeeded('on-gas'), { timeout: 10_000 }).toBe(n0 + 1)
    await anvilRpc(url, 'evm_mine')
    await sleep(600)
    expect(succeeded('on-gas')).toBe(n0 + 1)
    await baseFee('5')
    await baseFee('0.1')
    await expect.poll(() => succeeded('on-gas'), { timeout: 10_000 }).toBe(n0 + 2)
    expect(rt.scheduler.listRuns({ jobId: 'on-gas', limit: 1 }).runs[0]!.reason).toMatch(
      /^event: base fee on 31337 is 0\.1 gwei < 0\.5 gwei/,
    )
  }, 60_000)
})
