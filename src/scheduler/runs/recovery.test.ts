// Crash recovery policies after a restart: what each reconcile verdict, a failing hook and a lost task record.
import { describe, expect, it } from 'vitest'
import type { ReconcileOutcome } from '../task-contract.ts'
import type { GateInput } from '../scheduler-types.ts'
import { makeFixture, type Fixture } from '../testing/fixture.ts'

/** Crashes fixture `f` while a run of job `s` executes (with `args` as its runNow override), returns its id. */
async function crashWhileRunning(f: Fixture, args?: unknown): Promise<string> {
  f.sched.registerTask({ type: 'send', handler: () => new Promise(() => undefined), recovery: 'reconcile' })
  f.sched.addJob({ id: 's', taskType: 'send', args: { to: 'spec' } })
  await f.sched.start()
  const runId = args === undefined ? f.sched.runNow('s') : f.sched.runNow('s', args)
  await f.clock.settle()
  expect(f.store.getRun(Number(runId))?.status).toBe('running')
  return runId
}

/** Restarts with a reconcile hook that answers `answer` (or throws it when it is an Error). */
async function restartWith(f: Fixture, answer: ReconcileOutcome | Error | object) {
  const g = f.reopen()
  const asked: unknown[] = []
  let runs = 0
  g.sched.registerTask({
    type: 'send',
    recovery: 'reconcile',
    handler: async () => void runs++,
    reconcile: async (ctx) => {
      asked.push(ctx.args)
      if (answer instanceof Error) throw answer
      return answer as ReconcileOutcome
    },
  })
  await g.sched.start()
  await g.clock.settle()
  return { g, asked, runs: () => runs }
}

describe('recovery after a crash', () => {
  it('the hook sees the run args override, and a succeeded verdict stores its result', async () => {
    const f = makeFixture()
    const runId = await crashWhileRunning(f, { to: 'override' })
    const { g, asked } = await restartWith(f, { status: 'succeeded', result: { tx: '0xabc' } })
    expect(asked).toEqual([{ to: 'override' }])
    expect(g.sched.getRun(runId)).toMatchObject({
      status: 'succeeded',
      recovery: 'reconciled',
      resultJson: JSON.stringify({ tx: '0xabc' }),
    })
    const event = g.of('interrupted')[0] as { run: { id: number; status: string } }
    expect(event.run.id).toBe(Number(runId))
    await g.sched.stop()
  })

  it('a succeeded verdict without a result stores none; spec args are used without an override', async () => {
    const f = makeFixture()
    const runId = await crashWhileRunning(f)
    const { g, asked } = await restartWith(f, { status: 'succeeded' })
    expect(asked).toEqual([{ to: 'spec' }])
    expect(g.sched.getRun(runId)).toMatchObject({ status: 'succeeded', recovery: 'reconciled', resultJson: null })
    await g.sched.stop()
  })

  it('failed, needs_attention and rerun verdicts are recorded as reconciled', async () => {
    const f1 = makeFixture()
    const r1 = await crashWhileRunning(f1)
    const a = await restartWith(f1, { status: 'failed', error: 'reverted on chain' })
    expect(a.g.sched.getRun(r1)).toMatchObject({ status: 'failed', recovery: 'reconciled', error: 'reverted on chain' })
    await a.g.sched.stop()

    const f2 = makeFixture()
    const r2 = await crashWhileRunning(f2)
    const b = await restartWith(f2, { status: 'needs_attention', reason: 'nonce taken' })
    expect(b.g.sched.getRun(r2)).toMatchObject({
      status: 'needs_attention',
      recovery: 'reconciled',
      reason: 'nonce taken',
    })
    await b.g.sched.stop()

    const f3 = makeFixture()
    const r3 = await crashWhileRunning(f3)
    const c = await restartWith(f3, { status: 'rerun' })
    expect(c.g.sched.getRun(r3)).toMatchObject({ status: 'interrupted', recovery: 'reconciled: rerun' })
    expect(c.runs()).toBe(1)
    await c.g.sched.stop()
  })

  it('a replacement of a replacement names the first run: hooks and handlers see it as originRunId', async () => {
    const f = makeFixture()
    const first = await crashWhileRunning(f)
    const seen: { by: string; runId: string; originRunId: string }[] = []
    // Each replacement is still executing when the process dies again.
    const register = (g: Fixture) =>
      g.sched.registerTask({
        type: 'send',
        recovery: 'reconcile',
        handler: (ctx) => {
          seen.push({ by: 'handler', runId: ctx.runId, originRunId: ctx.originRunId })
          return new Promise(() => undefined)
        },
        reconcile: async (ctx) => {
          seen.push({ by: 'hook', runId: ctx.runId, originRunId: ctx.originRunId })
          return { status: 'rerun' }
        },
      })
    const g = f.reopen()
    register(g)
    await g.sched.start()
    await g.clock.settle()
    const second = seen.find((s) => s.by === 'handler')!.runId
    const h = g.reopen()
    register(h)
    await h.sched.start()
    await h.clock.settle()
    const third = seen.filter((s) => s.by === 'handler')[1]!.runId
    expect(seen).toEqual([
      { by: 'hook', runId: first, originRunId: first },
      { by: 'handler', runId: second, originRunId: first },
      { by: 'hook', runId: second, originRunId: first },
      { by: 'handler', runId: third, originRunId: first },
    ])
    expect(new Set([first, second, third]).size).toBe(3)
    expect(h.store.getRun(Number(third))).toMatchObject({ origin: 'recovery', recoveredFrom: Number(first) })
  })

  it('a hook that throws, or answers something unreadable, leaves the run for a person and frees the job', async () => {
    const f = makeFixture()
    const runId = await crashWhileRunning(f)
    const { g, runs } = await restartWith(f, new Error('RPC down'))
    expect(g.sched.getRun(runId)).toMatchObject({
      status: 'needs_attention',
      recovery: 'unresolved',
      reason: expect.stringContaining('RPC down'),
    })
    // The job is no longer busy with the verdict: a new run starts.
    g.sched.runNow('s')
    await g.clock.settle()
    expect(runs()).toBe(1)
    await g.sched.stop()

    const f2 = makeFixture()
    const r2 = await crashWhileRunning(f2)
    const h = await restartWith(f2, { status: 'maybe' })
    expect(h.g.sched.getRun(r2)).toMatchObject({
      status: 'needs_attention',
      recovery: 'unresolved',
      reason: expect.stringContaining('"maybe"'),
    })
    h.g.sched.runNow('s')
    await h.g.clock.settle()
    expect(h.runs()).toBe(1)
    await h.g.sched.stop()
  })

  it('a run whose task type is no longer registered cannot be recovered', async () => {
    const f = makeFixture()
    const runId = await crashWhileRunning(f)
    const g = f.reopen()
    await g.sched.start()
    await g.clock.settle()
    expect(g.sched.getRun(runId)).toMatchObject({
      status: 'needs_attention',
      recovery: 'unresolved',
      reason: expect.stringContaining('"send" is not registered'),
    })
    await g.sched.stop()
  })

  it('a job without a recovery setting follows its task: a plain task reruns', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 'plain', handler: () => new Promise(() => undefined) })
    f.sched.addJob({ id: 'p', taskType: 'plain' })
    await f.sched.start()
    const runId = f.sched.runNow('p')
    await f.clock.settle()
    // The gate asks about the rerun under its own id, and names the run it carries on (what a journal keys by).
    const asked: GateInput[] = []
    const g = f.reopen({ gate: (input) => (asked.push(input), { action: 'run' }) })
    let runs = 0
    g.sched.registerTask({ type: 'plain', handler: async () => void runs++ })
    await g.sched.start()
    await g.clock.settle()
    expect(g.sched.getRun(runId)).toMatchObject({ status: 'interrupted', recovery: 'rerun' })
    expect(runs).toBe(1)
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({ origin: 'recovery', originRunId: runId })
    expect(asked[0]!.runId).not.toBe(runId)
    expect(g.sched.getRun(asked[0]!.runId)).toMatchObject({ status: 'succeeded', recoveredFrom: Number(runId) })
    await g.sched.stop()
  })
})
