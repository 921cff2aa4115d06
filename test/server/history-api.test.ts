// The chart-history endpoints over real HTTP against a real bot runtime on the devnet: samples after market ticks,
// fees and balances after a real transaction, `since` and point bounds, retention by housekeeping, and the savings
// of a run the gas policy delayed through a base-fee spike on anvil.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBotRuntime, type BotRuntime } from '../../src/bot/runtime.ts'
import { startBotServer } from '../../src/server/bot-server.ts'
import { parseConfig } from '../../src/config/load.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-history-api-'))
const ADMIN = 'history-admin-token-0123456789'
const L1 = 31337
const GWEI = 1_000_000_000n
let rt: BotRuntime
let server: Awaited<ReturnType<typeof startBotServer>>

beforeAll(async () => {
  const config = await parseConfig(
    {
      preset: 'devnet-demo',
      store: { path: join(dir, 'state.db') },
      server: { enabled: true, port: 0 },
      jobs: [
        { id: 'tick', taskType: 'market_tick', trigger: 'manual' },
        {
          id: 'wrap',
          taskType: 'protocol_call',
          trigger: 'manual',
          args: {
            adapter: 'weth',
            wallet: 'demo',
            params: { chainId: L1, action: 'wrap', amount: '1000000000000000 wei' },
          },
        },
        {
          id: 'wrap-capped',
          taskType: 'protocol_call',
          trigger: 'manual',
          gasCap: '30 gwei',
          maxDelay: '10m',
          args: {
            adapter: 'weth',
            wallet: 'demo',
            params: { chainId: L1, action: 'wrap', amount: '1000000000000000 wei' },
          },
        },
      ],
    },
    'history-api-test',
  )
  rt = await createBotRuntime(config, { logger: pino({ level: 'silent' }) })
  await rt.start()
  server = await startBotServer(rt, { logger: pino({ level: 'silent' }), env: { BOT_API_TOKEN: ADMIN } })
}, 120_000)
afterAll(async () => {
  await server?.closeAll()
  await rt?.close({ graceMs: 0 })
  rmSync(dir, { recursive: true, force: true })
})

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field below
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(server.url + path)
  return { status: res.status, body: await res.json() }
}
async function runJob(jobId: string, until: string[] = ['succeeded', 'failed', 'cancelled', 'skipped', 'missed']) {
  const runId = rt.scheduler.runNow(jobId)
  for (let i = 0; i < 1_200; i++) {
    const r = rt.scheduler.getRun(runId)
    if (r && until.includes(r.status)) return r
    await new Promise((res) => setTimeout(res, 25))
  }
  throw new Error(`run ${runId} of ${jobId} did not reach ${until.join('|')}`)
}
/** A market tick, then the recorder's background sweep (balances and fees) to its end. */
async function tick() {
  expect((await runJob('tick')).status).toBe('succeeded')
  await rt.history.idle()
}
const anvil = (method: string, params: unknown[]) =>
  (rt.clients[L1] as unknown as { request(a: { method: string; params: unknown[] }): Promise<unknown> }).request({
    method,
    params,
  })

describe('chart history API', () => {
  it('serves base fees per chain with the caps, after market ticks', async () => {
    await tick()
    const r = await get('/api/history/base-fees')
    expect(r.status).toBe(200)
    expect(Object.keys(r.body.series).sort()).toEqual([String(L1), '31338'])
    expect(r.body.series[L1].length).toBeGreaterThan(0)
    expect(r.body.caps.map((c: { label: string }) => c.label)).toEqual(
      expect.arrayContaining(['gas cap', 'critical cap', 'hard cap', 'wrap-capped cap']),
    )
    expect(r.body.caps.find((c: { label: string }) => c.label === 'wrap-capped cap')).toEqual({
      label: 'wrap-capped cap',
      wei: String(30n * GWEI),
      chainId: L1,
    })
  })

  it('records the fee, balances, gas per day and runs per hour after a real transaction', async () => {
    expect((await runJob('wrap')).status).toBe('succeeded')
    await tick()
    const tx = await get('/api/history/transactions')
    const row = tx.body.transactions[0]
    expect(row).toMatchObject({
      chainId: L1,
      jobId: 'wrap',
      status: expect.stringMatching(/^(mined|confirmed)$/),
      replacements: 0,
    })
    expect(BigInt(row.feeWei)).toBeGreaterThan(0n)
    expect(row.hash).toMatch(/^0x[0-9a-f]{64}$/)
    const receipt = await rt.clients[L1]!.getTransactionReceipt({ hash: row.hash })
    expect(BigInt(row.feeWei)).toBe(receipt.gasUsed * receipt.effectiveGasPrice)
    const gas = await get('/api/history/gas-spend')
    expect(gas.body.days.some((d: { chainId: number; wei: string }) => d.chainId === L1 && BigInt(d.wei) > 0n)).toBe(
      true,
    )
    expect(gas.body.dailyGasBudgetWei[L1]).toBe(rt.config.risk.dailyGasBudget.toString())
    const bal = await get('/api/history/balances')
    const assets = bal.body.lines
      .filter((l: { chainId: number }) => l.chainId === L1)
      .map((l: { asset: string }) => l.asset)
    expect(assets).toEqual(expect.arrayContaining(['ETH', 'WETH', 'USDC']))
    const runs = await get('/api/history/runs')
    expect(
      runs.body.hours.some((h: { status: string; count: number }) => h.status === 'succeeded' && h.count >= 3),
    ).toBe(true)
  }, 60_000)

  it('honours since and bounds the number of points', async () => {
    const now = Date.now()
    const put = rt.db.prepare('INSERT OR IGNORE INTO history_base_fee (chain_id, at, base_fee) VALUES (?, ?, ?)')
    rt.db.transaction(() => {
      for (let i = 1; i <= 3_000; i++) put.run(L1, now - i * 10_000, 7_000_000_000)
    })()
    const bounded = await get(`/api/history/base-fees?since=${now - 3_000 * 10_000}&points=25`)
    expect(bounded.status).toBe(200)
    expect(bounded.body.series[L1].length).toBeGreaterThan(10)
    expect(bounded.body.series[L1].length).toBeLessThanOrEqual(25)
    const recent = await get(`/api/history/base-fees?since=${now - 60_000}&points=1000`)
    expect(recent.body.series[L1].every((p: { at: number }) => p.at >= now - 60_000)).toBe(true)
    expect(recent.body.series[L1].length).toBeLessThan(20)
    const iso = await get(`/api/history/base-fees?since=${new Date(now - 60_000).toISOString()}`)
    expect(iso.body.since).toBe(now - 60_000)
    for (const bad of ['points=1', 'points=1001', 'points=abc']) {
      const r = await get(`/api/history/base-fees?${bad}`)
      expect(r.status).toBe(400)
      expect(r.body.error.message).toMatch(/query\.points: expected an integer 2-1000/)
    }
    const future = await get(`/api/history/balances?since=${now + 3_600_000}`)
    expect(future.status).toBe(400)
    expect(future.body.error.message).toMatch(/query\.since: expected a past time/)
    expect((await get('/api/history/transactions?limit=501')).status).toBe(400)
    expect((await get('/api/history/runs?bogus=1')).status).toBe(400)
  })

  it('housekeeping prunes history past the run retention', async () => {
    const old = Date.now() - (rt.config.scheduler.retention.days + 5) * 86_400_000
    rt.db.prepare('INSERT INTO history_base_fee (chain_id, at, base_fee) VALUES (?, ?, 1)').run(L1, old)
    rt.db
      .prepare(
        "INSERT INTO history_balance (chain_id, wallet, asset, at, amount, units) VALUES (?, '0xaa', 'ETH', ?, '1', 1)",
      )
      .run(L1, old)
    expect((await get(`/api/history/base-fees?since=${old}&points=1000`)).body.series[L1][0].at).toBe(old)
    const res = await fetch(`${server.url}/api/cleanup/run`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { historyPruned: number }).historyPruned).toBe(2)
    const after = await get(`/api/history/base-fees?since=${old}&points=1000`)
    expect(after.body.series[L1][0].at).toBeGreaterThan(old)
    expect(
      (await get(`/api/history/balances?since=${old}`)).body.lines.every(
        (l: { wallet: string }) => l.wallet !== '0xaa',
      ),
    ).toBe(true)
  })

  it('a run delayed by a base-fee spike and sent after it shows savings against its due-time base fee', async () => {
    await anvil('anvil_setNextBlockBaseFeePerGas', [`0x${(100n * GWEI).toString(16)}`])
    await anvil('evm_mine', [])
    await tick()
    const runId = rt.scheduler.runNow('wrap-capped')
    await expect.poll(() => rt.scheduler.getRun(runId)?.status, { timeout: 20_000 }).toBe('delayed')
    const due = rt.db.prepare('SELECT due_base_fee FROM history_gas_timing WHERE run_id = ?').get(runId) as
      { due_base_fee: string } | undefined
    expect(BigInt(due!.due_base_fee)).toBeGreaterThan(30n * GWEI)
    await anvil('anvil_setNextBlockBaseFeePerGas', [`0x${GWEI.toString(16)}`])
    await anvil('evm_mine', [])
    await tick()
    await expect.poll(() => rt.scheduler.getRun(runId)?.status, { timeout: 30_000 }).toBe('succeeded')
    await rt.history.recordFees()
    const { body } = await get('/api/history/savings')
    for (const w of [body.savings.day, body.savings.week]) {
      expect(w.delayedTxs).toBe(1)
      expect(BigInt(w.savedWei)).toBeGreaterThan(0n)
      expect(BigInt(w.atDueWei) - BigInt(w.paidWei)).toBe(BigInt(w.savedWei))
      // Sent near 1 gwei instead of above 30: at least ten times cheaper than at the due time.
      expect(BigInt(w.atDueWei)).toBeGreaterThan(BigInt(w.paidWei) * 10n)
    }
  }, 90_000)
})
