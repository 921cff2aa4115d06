// The real `bot` binary: --once on the devnet preset, history, bad config, the single-instance guard and SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runBot, spawnBot, waitForOutput } from './run-bot.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-e2e-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const configAt = (name: string, extra: Record<string, unknown> = {}) => {
  const path = join(dir, `${name}.json`)
  writeFileSync(path, JSON.stringify({ preset: 'devnet-demo', store: { path: join(dir, `${name}.db`) }, ...extra }))
  return path
}

describe('bot --once on the embedded devnet', () => {
  it('runs the devnet-demo plan, exits 0, and the history shows every job succeeded', async () => {
    const config = configAt('once')
    const once = await runBot(['--once', '--json', '--config', config])
    expect(once.stderr).not.toMatch(/"level":"error"/)
    expect(once.code).toBe(0)
    // The report covers the jobs the plan scheduled itself too (the rebalance's allocate_<protocol> job).
    const report = JSON.parse(once.stdout) as { ok: boolean; jobs: { jobId: string; status: string }[] }
    expect(report.ok).toBe(true)
    expect(report.jobs.map((j) => j.jobId)).toEqual(expect.arrayContaining(['rebalance', 'allocate_vusdc']))
    const history = await runBot(['history', '--json', '--limit', '50', '--config', config])
    expect(history.code).toBe(0)
    const runs = JSON.parse(history.stdout) as { jobId: string; status: string }[]
    const byJob = new Map(runs.map((r) => [r.jobId, r.status]))
    for (const job of ['market-tick', 'wrap-eth', 'swap-weth-usdc', 'deposit-vault', 'bridge-to-l2', 'rebalance']) {
      expect(byJob.get(job), job).toBe('succeeded')
    }
    // The rebalance found the vault under target and scheduled (and ran) its allocate_<protocol> job.
    expect(byJob.get('allocate_vusdc')).toBe('succeeded')
  })

  it('a bad config exits 2, names the field, and starts nothing', async () => {
    const path = join(dir, 'bad.json')
    writeFileSync(
      path,
      JSON.stringify({
        preset: 'devnet-demo',
        scheduler: { maxConcurrentJobs: 0 },
        store: { path: join(dir, 'bad.db') },
      }),
    )
    const r = await runBot(['--once', '--config', path])
    expect(r.code).toBe(2)
    expect(r.stderr + r.stdout).toMatch(/scheduler\.maxConcurrentJobs/)
    expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /)
  })

  it(
    'a second `bot run` on the same state refuses; SIGTERM stops the first cleanly',
    { timeout: 180_000 },
    async () => {
      const config = configAt('run')
      const first = spawnBot(['run', '--config', config])
      try {
        await waitForOutput(first, /bot running/)
        const second = await runBot(['run', '--config', config], {}, 60_000)
        expect(second.code).toBe(2)
        expect(second.stderr + second.stdout).toMatch(/STATE_LOCKED|already|locked/i)
        await waitForOutput(first, /market-tick: succeeded/)
      } finally {
        first.kill('SIGTERM')
      }
      const code = await new Promise<number | null>((resolve) => first.on('exit', (c) => resolve(c)))
      expect(code).toBe(0)
      expect(first.output.stdout + first.output.stderr).toMatch(/stopped cleanly/)
    },
  )
})
