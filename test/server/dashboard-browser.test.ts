// The dashboard in real headless Chromium against a real `bot run --port 0` on the embedded devnet: the DAG has the
// plan's nodes and edges, a run-now click produces a new run in the history table, and every chart has points.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT, spawnBot, waitForOutput } from '../e2e/run-bot.ts'

const CHROMIUM = '/usr/bin/chromium'
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const available = existsSync(CHROMIUM)
if (!available) {
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing in CI: .ci/run installs it with apt (see .ci/apt-packages)`)
  console.warn(
    `\n!!! SKIPPING the dashboard browser test: ${CHROMIUM} is not installed (apt-get install chromium) !!!\n`,
  )
}

const dir = mkdtempSync(join(tmpdir(), 'bot-dash-'))
const TOKEN = 'dashboard-test-admin-token-42'
let bot: ReturnType<typeof spawnBot> | undefined
afterAll(async () => {
  if (bot && bot.exitCode === null) {
    bot.kill('SIGTERM')
    await new Promise((r) => bot!.once('exit', r))
  }
  rmSync(dir, { recursive: true, force: true })
})

describe.runIf(available)('dashboard in headless Chromium', () => {
  it('draws the DAG and a run-now click adds a run to the history', async () => {
    const config = join(dir, 'bot.json')
    writeFileSync(config, JSON.stringify({ preset: 'devnet-demo', store: { path: join(dir, 'state.db') } }))
    bot = spawnBot(['run', '--port', '0', '--config', config], { BOT_API_TOKEN: TOKEN })
    await waitForOutput(bot, /api listening on http:\/\/127\.0\.0\.1:\d+/, 120_000)
    const url = /api listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(bot.output.stdout + bot.output.stderr)![1]!
    const jobs = (await (await fetch(`${url}/api/jobs?limit=500`)).json()) as {
      jobs: { id: string; dependencies: string[] }[]
    }
    const edges = jobs.jobs.reduce((n, j) => n + j.dependencies.length, 0)
    expect(edges).toBeGreaterThan(0)

    const profile = mkdtempSync(join(tmpdir(), 'bot-chromium-'))
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    })
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage())
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text())
      })
      await page.goto(url)
      await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 })
      const graph = await page.evaluate(() => {
        const cy = (globalThis as unknown as { botCy: { nodes(): { length: number }; edges(): { length: number } } })
          .botCy
        return { nodes: cy.nodes().length, edges: cy.edges().length }
      })
      expect(graph).toEqual({ nodes: jobs.jobs.length, edges })

      const before = await page.locator('#runs tr[data-run-id]').count()
      await page.fill('#token', TOKEN)
      await page.dispatchEvent('#token', 'change')
      // Braces: returning cytoscape's collection would make Playwright serialize the whole graph (minutes).
      await page.evaluate(() => {
        ;(globalThis as unknown as { botCy: { getElementById(id: string): { select(): void } } }).botCy
          .getElementById('wrap-eth')
          .select()
      })
      await page.click('#run-now')
      // Other jobs (the market tick) may add rows meanwhile: wait for a wrap-eth row.
      await page.waitForFunction(
        () =>
          [
            ...(
              globalThis as unknown as {
                document: { querySelectorAll(s: string): Iterable<{ children: { textContent: string | null }[] }> }
              }
            ).document.querySelectorAll('#runs tr[data-run-id]'),
          ].some((tr) => tr.children[1]?.textContent === 'wrap-eth'),
        undefined,
        { timeout: 60_000 },
      )
      expect(await page.locator('#runs tr[data-run-id]').count()).toBeGreaterThan(before)
      await expect
        .poll(
          async () =>
            (
              (await fetch(`${url}/api/runs?job=wrap-eth&limit=5`).then((r) => r.json())) as {
                runs: { status: string }[]
              }
            ).runs[0]?.status,
          { timeout: 60_000 },
        )
        .toBe('succeeded')
      const audit = (await fetch(`${url}/api/audit?limit=5`).then((r) => r.json())) as {
        entries: { action: string; actor: string; outcome: string }[]
      }
      expect(audit.entries.some((e) => e.action === 'job.run' && e.actor === 'env-admin' && e.outcome === 'ok')).toBe(
        true,
      )
      // A market tick after the send records base fees, balances and the fee paid; then every chart has points.
      const tick = await fetch(`${url}/api/jobs/market-tick/run`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}` },
      })
      expect(tick.status).toBe(200)
      await expect
        .poll(
          async () =>
            (
              (await fetch(`${url}/api/history/transactions`).then((r) => r.json())) as {
                transactions: { feeWei: string | null }[]
              }
            ).transactions.some((t) => t.feeWei !== null),
          { timeout: 60_000 },
        )
        .toBe(true)
      await page.evaluate(() => (globalThis as unknown as { botRefreshCharts(): Promise<void> }).botRefreshCharts())
      const points = await page.evaluate(() => {
        const charts = (globalThis as unknown as { botCharts: Record<string, { data: (number | null)[][] }> }).botCharts
        return Object.fromEntries(
          Object.entries(charts).map(([k, u]) => [
            k,
            u.data.slice(1).reduce((n, ys) => n + ys.filter((y) => y !== null).length, 0),
          ]),
        )
      })
      expect(Object.keys(points)).toEqual(
        expect.arrayContaining(['base-fee-31337', 'gas-spend', 'balances-31337', 'runs']),
      )
      for (const [chart, n] of Object.entries(points)) expect(n, chart).toBeGreaterThan(0)
      const tx = page.locator('#transactions tr').first()
      // The call by book name and decoded function with its amount, the fee in ETH and gwei; no explorer on a devnet.
      expect(await tx.locator('td').nth(1).textContent()).toBe('WETH.deposit(1 ETH)')
      expect(await tx.locator('td').nth(3).textContent()).toBe('wrap-eth')
      expect(await tx.locator('td').nth(6).textContent()).toMatch(/^0\.\d+ ETH \([\d.]+ gwei\)$/)
      expect(await tx.locator('td a').count()).toBe(0)
      // A click on the wrap-eth run shows what it sent (GET /api/runs/:id).
      await page.locator('#runs tr[data-run-id]', { hasText: 'wrap-eth' }).first().click()
      await page.waitForSelector('body[data-run-detail]')
      expect(await page.locator('#run-detail td.tx-call').first().textContent()).toBe('WETH.deposit(1 ETH)')
      expect(await page.locator('#run-detail td.tx-call').first().getAttribute('title')).toContain(
        '1 ETH = 1000000000000000000 base units',
      )
      expect(await page.locator('#run-detail td.tx-fee').first().textContent()).toMatch(/ETH \([\d.]+ gwei\)$/)
      expect(await page.locator('#savings dt').count()).toBe(6)
      const artifacts = join(ROOT, 'test-artifacts')
      mkdirSync(artifacts, { recursive: true })
      await page.waitForTimeout(300)
      await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true })
      expect(errors, errors.join('\n')).toEqual([])
    } finally {
      await ctx.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }, 240_000)
})
