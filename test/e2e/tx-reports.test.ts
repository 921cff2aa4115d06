// Readable reports on a real chain id: a devnet started as chain 1 (Ethereum's id) runs a wrap and a swap; `bot history`,
// `bot explain`, GET /api/runs/:id and the dashboard (headless Chromium) show names, amounts, fees and Etherscan links.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBotRuntime, type BotRuntime } from '../../src/bot/runtime.ts'
import type { TxView } from '../../src/bot/tx-report.ts'
import { parseConfig } from '../../src/config/load.ts'
import { startBotServer } from '../../src/server/bot-server.ts'
import { runMain } from '../cli/helpers.ts'

const CHROMIUM = '/usr/bin/chromium'
const dir = mkdtempSync(join(tmpdir(), 'bot-tx-reports-'))
const raw = {
  devnet: { embedded: true, chains: [1, 8453] },
  wallets: [{ name: 'demo', devnetAccount: 1 }],
  protocols: { weth: { chains: [1] }, 'uniswap-v2': { chains: [1] } },
  jobs: [
    { id: 'tick', taskType: 'market_tick', trigger: 'manual' },
    {
      id: 'wrap',
      taskType: 'protocol_call',
      trigger: 'manual',
      args: { adapter: 'weth', wallet: 'demo', params: { chainId: 1, action: 'wrap', amount: '0.5' } },
    },
    {
      id: 'swap',
      taskType: 'protocol_call',
      trigger: 'manual',
      args: {
        adapter: 'uniswap-v2',
        wallet: 'demo',
        params: { chainId: 1, tokenIn: 'WETH', tokenOut: 'USDC', amountIn: '0.2', slippageBps: 50 },
      },
    },
  ],
  store: { path: join(dir, 'state.db') },
  server: { enabled: true, port: 0 },
}
const configPath = join(dir, 'bot.json')
let rt: BotRuntime | undefined
let server: Awaited<ReturnType<typeof startBotServer>> | undefined
const runIds: Record<string, string> = {}

async function runJob(jobId: string): Promise<string> {
  const runId = rt!.scheduler.runNow(jobId)
  for (let i = 0; i < 1_200; i++) {
    const r = rt!.scheduler.getRun(runId)
    if (r && ['succeeded', 'failed', 'cancelled', 'skipped', 'missed'].includes(r.status)) {
      expect(r.status, r.error ?? '').toBe('succeeded')
      return runId
    }
    await new Promise((res) => setTimeout(res, 25))
  }
  throw new Error(`run ${runId} of ${jobId} did not end`)
}

beforeAll(async () => {
  writeFileSync(configPath, JSON.stringify(raw))
  rt = await createBotRuntime(await parseConfig(raw, 'tx-reports-test'), { logger: pino({ level: 'silent' }) })
  await rt.start()
  runIds.wrap = await runJob('wrap')
  runIds.swap = await runJob('swap')
  // A market tick, then the history recorder's sweep: it reads each mined transaction's receipt for the fee paid.
  await runJob('tick')
  await rt.history.idle()
  server = await startBotServer(rt, { logger: pino({ level: 'silent' }), env: {} })
}, 180_000)
afterAll(async () => {
  await server?.closeAll()
  await rt?.close({ graceMs: 0 })
  rmSync(dir, { recursive: true, force: true })
})

const ETHERSCAN_TX = /^https:\/\/etherscan\.io\/tx\/0x[0-9a-f]{64}$/

describe('readable transaction reports on chain id 1', () => {
  it('GET /api/runs/:id names contract and function, amounts with symbols, fee and an Etherscan link', async () => {
    const res = await fetch(`${server!.url}/api/runs/${runIds.swap}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { run: { jobId: string }; transactions: TxView[] }
    expect(body.run.jobId).toBe('swap')
    const [approve, swap] = body.transactions
    expect(approve!.call.summary).toBe('WETH.approve(0.2 WETH for uniswapV2Router02)')
    expect(swap!.call.summary).toMatch(/^uniswapV2Router02\.swapExactTokensForTokens\(0\.2 WETH -> >= [\d.]+ USDC\)$/)
    expect(swap!.call.amounts[0]).toEqual({ role: 'in', amount: '200000000000000000', formatted: '0.2 WETH' })
    expect(swap!.explorerUrl).toMatch(ETHERSCAN_TX)
    expect(swap!.explorerUrl).toBe(`https://etherscan.io/tx/${swap!.hash}`)
    expect(swap!.fee!.formatted).toMatch(/ETH \([\d.]+ gwei\)$/)
    const receipt = await rt!.clients[1]!.getTransactionReceipt({ hash: swap!.hash as `0x${string}` })
    expect(swap!.fee!.atMost).toBeUndefined()
    expect(swap!.fee!.wei).toBe((receipt.gasUsed * receipt.effectiveGasPrice).toString())
    expect(swap!.fee!.gasPrice!.amount).toBe(receipt.effectiveGasPrice.toString())
    expect((await fetch(`${server!.url}/api/runs/abc`)).status).toBe(400)
    expect((await fetch(`${server!.url}/api/runs/999999`)).status).toBe(404)
    const recent = (await (await fetch(`${server!.url}/api/history/transactions`)).json()) as { transactions: TxView[] }
    expect(recent.transactions.map((t) => t.call.function)).toEqual(['swapExactTokensForTokens', 'approve', 'deposit'])
  })

  it.runIf(existsSync(CHROMIUM))(
    'the dashboard run view links each transaction to Etherscan',
    async () => {
      const profile = mkdtempSync(join(tmpdir(), 'bot-chromium-'))
      const ctx = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      })
      try {
        const page = ctx.pages()[0] ?? (await ctx.newPage())
        await page.goto(server!.url)
        await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 })
        await page.locator(`#runs tr[data-run-id="${runIds.swap}"]`).click()
        await page.waitForSelector(`body[data-run-detail="${runIds.swap}"]`)
        const calls = await page.locator('#run-detail td.tx-call').allTextContents()
        expect(calls[0]).toBe('WETH.approve(0.2 WETH for uniswapV2Router02)')
        expect(calls[1]).toMatch(/^uniswapV2Router02\.swapExactTokensForTokens\(0\.2 WETH -> >= [\d.]+ USDC\)$/)
        const links = await page
          .locator('#run-detail td.tx-hash a')
          .evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href))
        expect(links).toHaveLength(2)
        for (const l of links) expect(l).toMatch(ETHERSCAN_TX)
      } finally {
        await ctx.close()
        rmSync(profile, { recursive: true, force: true })
      }
    },
    60_000,
  )

  it('`bot history` and `bot explain` print the same, and --json keeps exact base units', async () => {
    await server?.closeAll()
    server = undefined
    await rt?.close({ graceMs: 0 })
    rt = undefined
    const text = await runMain(['history', '--config', configPath])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`run ${runIds.wrap} wrap:`)
    expect(text.stdout).toContain('WETH.deposit(0.5 ETH) on chain 1')
    expect(text.stdout).toMatch(/uniswapV2Router02\.swapExactTokensForTokens\(0\.2 WETH -> >= [\d.]+ USDC\) on chain 1/)
    expect(text.stdout).toMatch(/fee 0\.\d+ ETH \([\d.]+ gwei\)/)
    expect(text.stdout).toMatch(/tx https:\/\/etherscan\.io\/tx\/0x[0-9a-f]{64}/)

    const json = JSON.parse((await runMain(['history', '--json', '--config', configPath])).stdout) as Array<{
      jobId: string
      transactions?: TxView[]
    }>
    const wrap = json.find((r) => r.jobId === 'wrap')!.transactions![0]!
    expect(wrap.call.value).toEqual({ amount: '500000000000000000', formatted: '0.5 ETH' })
    expect(wrap.explorerUrl).toMatch(ETHERSCAN_TX)
    expect(BigInt(wrap.fee!.wei)).toBeGreaterThan(0n)

    const explain = await runMain(['explain', 'swap', '--config', configPath])
    expect(explain.code).toBe(0)
    expect(explain.stdout).toContain('last run sent:')
    expect(explain.stdout).toContain('WETH.approve(0.2 WETH for uniswapV2Router02) on chain 1')
  })
})
