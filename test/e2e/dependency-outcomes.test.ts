// The real `bot` binary on the embedded devnet: a gas-capped job that never gets its price, a dependent under each
// trigger rule, `--once` bounded and interruptible, `bot run` stopped while dependents wait, and no run left pending.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runBot, spawnBot, waitForOutput } from './run-bot.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-deps-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const GRACE_MS = 2_000
const wrap = (amount: string) => ({
  adapter: 'weth',
  wallet: 'demo',
  params: { chainId: 31337, action: 'wrap', amount },
})

/**
 * The plan: `capped-wrap` has a gas cap of 1 wei, below any base fee an EIP-1559 chain can have (anvil's floor is
 * 7 wei), so it is delayed until its max delay and then skipped; three dependents wait on it, one per trigger rule.
 */
function planConfig(name: string, maxDelay: string, trigger: unknown = 'manual'): string {
  const path = join(dir, `${name}.json`)
  const jobs = [
    { id: 'capped-wrap', taskType: 'protocol_call', trigger, gasCap: '1 wei', maxDelay, args: wrap('1000 wei') },
    ...(['all_success', 'none_failed', 'all_done'] as const).map((rule) => ({
      id: `after-${rule.replace('_', '-')}`,
      taskType: 'protocol_call',
      trigger,
      dependencies: ['capped-wrap'],
      triggerRule: rule,
      args: wrap('2000 wei'),
    })),
  ]
  writeFileSync(
    path,
    JSON.stringify({
      preset: 'devnet-demo',
      jobs,
      store: { path: join(dir, `${name}.db`) },
      scheduler: { shutdownGraceMs: GRACE_MS },
      server: { enabled: false },
    }),
  )
  return path
}

type Run = { jobId: string; status: string; reason?: string; error?: string }

async function history(config: string): Promise<Run[]> {
  const h = await runBot(['history', '--json', '--limit', '50', '--config', config])
  expect(h.code).toBe(0)
  return JSON.parse(h.stdout) as Run[]
}

function expectNothingWaiting(runs: Run[]): void {
  expect(runs.filter((r) => ['pending', 'delayed', 'held'].includes(r.status))).toEqual([])
}

/** Waits for the child's exit, returning its code and how long it took after `since`. */
function exitOf(child: ReturnType<typeof spawnBot>, since: () => number): Promise<{ code: number | null; ms: number }> {
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, ms: Date.now() - since() })))
}

describe('dependency outcomes through the binary', () => {
  it('--once: the capped job is skipped, each rule decides its dependent, every fate is listed, exit 1', async () => {
    const config = planConfig('once', '3s')
    const r = await runBot(['--once', '--json', '--max-wait', '90s', '--config', config], {}, 150_000)
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as { ok: boolean; jobs: Run[] }
    const fate = new Map(report.jobs.map((j) => [j.jobId, j]))
    expect(fate.get('capped-wrap')).toMatchObject({
      status: 'skipped',
      error: expect.stringMatching(/^gate: missed: gas .* stayed above .* until its max delay/),
    })
    expect(fate.get('capped-wrap')!.error).not.toMatch(/missed: missed/)
    expect(fate.get('after-all-success')).toMatchObject({
      status: 'cancelled',
      error: expect.stringMatching(/^dependency_skipped: capped-wrap was skipped: gate: missed: gas/),
    })
    expect(fate.get('after-none-failed')?.status).toBe('succeeded')
    expect(fate.get('after-all-done')?.status).toBe('succeeded')
    expect(r.stderr).toMatch(
      /capped-wrap: delayed \(gas_above_cap: gas .* above cap .*, re-checking at \d\d:\d\d:\d\d UTC\)/,
    )
    expectNothingWaiting(await history(config))
  }, 240_000)

  it('--once --max-wait: what still waits is cancelled as not run, with what it waited on, and listed', async () => {
    const config = planConfig('max-wait', '10m')
    const started = Date.now()
    const r = await runBot(['--once', '--max-wait', '5s', '--config', config], {}, 150_000)
    expect(r.code).toBe(1)
    expect(Date.now() - started).toBeLessThan(120_000)
    expect(r.stdout).toMatch(/stopped early: --max-wait of 5 s passed while it waited/)
    expect(r.stdout).toMatch(/4 job\(s\) did not run/)
    expect(r.stdout).toMatch(
      /capped-wrap: cancelled, not_run: --max-wait of 5 s passed while it waited: gate delayed it until/,
    )
    const runs = await history(config)
    expectNothingWaiting(runs)
    const dependents = runs.filter((x) => x.jobId.startsWith('after-'))
    expect(dependents.map((x) => x.status)).toEqual(['cancelled', 'cancelled', 'cancelled'])
    for (const d of dependents)
      expect(d.reason).toMatch(
        /^not_run: --max-wait of 5 s passed while it waited: dependency capped-wrap has a run in progress/,
      )
  }, 240_000)

  it('SIGTERM to --once while dependents wait ends it within the grace period and leaves nothing pending', async () => {
    const config = planConfig('sigterm-once', '10m')
    const child = spawnBot(['--once', '--config', config])
    await waitForOutput(child, /capped-wrap: delayed/)
    let sent = 0
    const exit = exitOf(child, () => sent)
    sent = Date.now()
    child.kill('SIGTERM')
    const { code, ms } = await exit
    expect(code).toBe(1)
    expect(ms).toBeLessThan(GRACE_MS + 15_000)
    expect(child.output.stdout).toMatch(/stopped early: --once was stopped \(SIGTERM\) while it waited/)
    expectNothingWaiting(await history(config))
  }, 240_000)

  it('SIGTERM to `bot run` while dependents wait ends it within the grace period', async () => {
    const config = planConfig('sigterm-run', '10m', { type: 'date', at: new Date(Date.now() + 20_000).toISOString() })
    const child = spawnBot(['run', '--config', config])
    await waitForOutput(child, /capped-wrap: delayed/, 150_000)
    let sent = 0
    const exit = exitOf(child, () => sent)
    sent = Date.now()
    child.kill('SIGTERM')
    const { code, ms } = await exit
    expect(code).toBe(0)
    expect(ms).toBeLessThan(GRACE_MS + 15_000)
    expect(child.output.stdout + child.output.stderr).toMatch(/stopped cleanly/)
  }, 240_000)

  it('`bot run` past the max delay resolves every dependent and leaves no run pending', async () => {
    const config = planConfig('run', '3s', { type: 'date', at: new Date(Date.now() + 20_000).toISOString() })
    const child = spawnBot(['run', '--config', config])
    try {
      await waitForOutput(child, /after-all-success: cancelled/, 150_000)
      await waitForOutput(child, /after-none-failed: succeeded/, 60_000)
      await waitForOutput(child, /after-all-done: succeeded/, 60_000)
    } finally {
      child.kill('SIGTERM')
    }
    expect((await exitOf(child, () => 0)).code).toBe(0)
    const runs = await history(config)
    expectNothingWaiting(runs)
    expect(runs.find((x) => x.jobId === 'capped-wrap')?.status).toBe('skipped')
  }, 240_000)
})

describe('the embedded demo repeats', () => {
  it('`bot --once` three times in a row on the embedded default exits 0 each time', async () => {
    const path = join(dir, 'repeat.json')
    writeFileSync(
      path,
      JSON.stringify({
        preset: 'devnet-demo',
        store: { path: join(dir, 'repeat', 'bot.db') },
        server: { enabled: false },
      }),
    )
    for (let i = 1; i <= 3; i++) {
      const r = await runBot(['--once', '--config', path], {}, 180_000)
      expect(r.code, `run ${i}: ${r.stdout.slice(-600)}`).toBe(0)
    }
  }, 600_000)
})
