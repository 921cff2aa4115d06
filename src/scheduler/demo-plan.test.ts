// The demo plan loads, validates and runs once in dependency order with the built-in noop task.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { BUILTIN_TASKS } from './builtin-tasks.ts'
import { loadPlanFile, parsePlan } from './jobs/plan.ts'
import { makeFixture } from './testing/fixture.ts'

const DEMO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'config', 'demo-plan.json')

describe('demo plan', () => {
  it('runs every job once, dependencies first, and is idempotent to reload', async () => {
    const f = makeFixture()
    for (const t of BUILTIN_TASKS) f.sched.registerTask(t)
    const jobs = loadPlanFile(DEMO)
    f.sched.addJobs(jobs)
    const started: string[] = []
    f.sched.on('started', (e) => started.push(e.jobId))
    const summary = await f.sched.runOnce()
    expect(summary).toMatchObject({ ok: true, total: 4, counts: { succeeded: 4 } })
    expect(started.indexOf('report')).toBe(3)
    expect(started.indexOf('plan-routes')).toBeGreaterThan(started.indexOf('fetch-prices'))
    expect(f.sched.getJob('check-balances')?.trigger).toMatch(/Europe\/Berlin/)
    await f.sched.stop()
    // Loading the plan again on the same state (a second `bot --once`) keeps the stored jobs.
    const g = f.reopen()
    for (const t of BUILTIN_TASKS) g.sched.registerTask(t)
    g.sched.addJobs(jobs, { ifExists: 'keep' })
    expect(g.sched.listJobs()).toHaveLength(4)
    await g.sched.stop()
  })

  it('rejects a malformed plan with a typed error', () => {
    expect(() => parsePlan('{"jobs": []}')).toThrow(/jobs/)
    expect(() => parsePlan('nope')).toThrow(/not valid JSON/)
  })
})
