// The unfinished-runs mark: the scheduler never proposes a mark past a run it holds unfinished (held, or left
// interrupted by a stop), so a restart loads that run; once it finishes, the mark moves past it.
import { describe, expect, it } from 'vitest'
import { UNFINISHED_FROM_KEY } from '../store/sqlite-batch.mjs'
import { ROW_CHECKPOINT_MS } from './jobs/job-rows.ts'
import type { StoreOp } from './store/store-port.ts'
import { makeFixture, type Fixture } from './testing/fixture.ts'

/** Records every finishedBelow proposal the scheduler hands to its store. */
function recordProposals(f: Fixture): number[] {
  const seen: number[] = []
  const record = (ops: readonly StoreOp[]) => {
    for (const o of ops) if (o.op === 'finishedBelow') seen.push(o.runId)
  }
  const { store } = f
  const apply = store.applyBatch.bind(store)
  const submit = store.submitBatch?.bind(store)
  store.applyBatch = (ops) => (record(ops), apply(ops))
  if (submit) store.submitBatch = (ops) => (record(ops), submit(ops))
  return seen
}

/** Starts `f` and runs job `a`, then `middle`, then `a` again; returns the ids of the middle and the last run. */
async function runAround(f: Fixture, middle: string): Promise<{ mid: number; last: number }> {
  await f.sched.start()
  f.sched.runNow('a')
  const mid = Number(f.sched.runNow(middle))
  const last = Number(f.sched.runNow('a'))
  await f.clock.settle()
  return { mid, last }
}

describe('unfinished-runs mark', () => {
  it('stays at a held run while runs after it finish, and moves past it once it has run', async () => {
    let open = false
    const f = makeFixture({
      holdRecheckMs: 60_000,
      gate: (run) => (open || run.jobId !== 'h' ? { action: 'run' } : { action: 'hold', reason: 'closed' }),
    })
    const proposals = recordProposals(f)
    f.sched.registerTask({ type: 't', handler: async () => null })
    f.sched.addJob({ id: 'a', taskType: 't' })
    f.sched.addJob({ id: 'h', taskType: 't' })
    const { mid: held, last } = await runAround(f, 'h')
    expect(f.of('held')).toHaveLength(1)
    expect(f.of('succeeded')).toHaveLength(2)
    await f.clock.advance(ROW_CHECKPOINT_MS)
    expect(proposals).toEqual([held])
    expect(f.store.getState(UNFINISHED_FROM_KEY)).toBe(String(held))

    const stopped = f.sched.stop({ graceMs: 100 })
    await f.clock.advance(100)
    await stopped
    expect(Math.max(...proposals)).toBe(held)
    const g = f.reopen()
    expect(g.store.loadUnfinishedRuns().map((r) => r.id)).toEqual([held])
    open = true
    g.sched.registerTask({ type: 't', handler: async () => null })
    await g.sched.start()
    await g.clock.advance(60_000)
    expect(g.sched.getRun(String(held))?.status).toBe('succeeded')
    await g.clock.advance(ROW_CHECKPOINT_MS)
    expect(g.store.getState(UNFINISHED_FROM_KEY)).toBe(String(last + 1))
    expect(g.store.loadUnfinishedRuns()).toEqual([])
  })

  it('stays at a run a stop left interrupted with its recovery pending, which the next start recovers', async () => {
    const f = makeFixture()
    const proposals = recordProposals(f)
    f.sched.registerTask({ type: 't', handler: async () => null })
    f.sched.registerTask({ type: 'hang', handler: () => new Promise(() => undefined) })
    f.sched.addJob({ id: 'a', taskType: 't' })
    f.sched.addJob({ id: 'slow', taskType: 'hang' })
    const { mid: slow } = await runAround(f, 'slow')
    const stopped = f.sched.stop({ graceMs: 100 })
    await f.clock.advance(100)
    await stopped
    expect(proposals.length).toBeGreaterThan(0)
    expect(Math.max(...proposals)).toBe(slow)

    const g = f.reopen()
    expect(g.store.getRun(slow)).toMatchObject({ status: 'interrupted', recovery: 'pending' })
    expect(g.store.loadUnfinishedRuns().map((r) => r.id)).toEqual([slow])
    g.sched.registerTask({ type: 't', handler: async () => null })
    g.sched.registerTask({ type: 'hang', handler: async () => null })
    await g.sched.start()
    await g.clock.settle()
    expect(g.sched.getRun(String(slow))).toMatchObject({ status: 'interrupted', recovery: 'rerun' })
  })
})
