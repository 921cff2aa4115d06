// Persistence and crash recovery (10), retention, graceful shutdown and signal handling (11).
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { ReconcileOutcome } from './task-contract.ts'
import { OUTCOME_CHECKPOINT_KEY, ROW_CHECKPOINT_MS } from './jobs/job-rows.ts'
import { installSignalHandlers } from './signals.ts'
import { deferred, every, makeFixture, type Fixture } from './testing/fixture.ts'

/** Starts a run that never finishes in fixture `f`, then abandons `f` as a crash would. */
async function crashWhileRunning(f: Fixture, jobId: string): Promise<string> {
  await f.sched.start()
  const runId = f.sched.runNow(jobId)
  await f.clock.settle()
  expect(f.store.getRun(Number(runId))?.status).toBe('running')
  return runId
}

describe('restart and recovery', () => {
  it('marks runs left running as interrupted and reruns them by default; pending runs are kept', async () => {
    const f = makeFixture({ maxConcurrentJobs: 1 })
    f.sched.registerTask({ type: 'hang', handler: () => new Promise(() => undefined) })
    f.sched.addJob({ id: 'a', taskType: 'hang', args: { n: 1 } })
    f.sched.addJob({ id: 'b', taskType: 'hang' })
    const runId = await crashWhileRunning(f, 'a')
    const waiting = f.sched.runNow('b')
    await f.clock.settle()
    expect(f.store.getRun(Number(waiting))?.status).toBe('pending')

    const g = f.reopen()
    const args: unknown[] = []
    g.sched.registerTask({ type: 'hang', handler: async (ctx) => void args.push(ctx.args) })
    await g.sched.start()
    await g.clock.settle()
    expect(g.of('interrupted').map((e) => e.runId)).toEqual([runId])
    expect(g.sched.getRun(runId)).toMatchObject({ status: 'interrupted', recovery: 'rerun' })
    const rerun = g.sched.listRuns({ jobId: 'a' }).runs[0]!
    expect(rerun).toMatchObject({ origin: 'recovery', recoveredFrom: Number(runId), status: 'succeeded' })
    expect(g.sched.getRun(waiting)?.status).toBe('succeeded')
    expect(args).toHaveLength(2)
    expect(g.store.loadUnfinishedRuns()).toEqual([])
    await g.sched.stop()
  })

  it('a state view writes nothing at load: runs a live bot may be executing stay running in the store', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 'hang', handler: () => new Promise(() => undefined) })
    f.sched.addJob({ id: 'a', taskType: 'hang' })
    const runId = await crashWhileRunning(f, 'a')
    const view = f.reopen({ view: true })
    expect(view.sched.getJob('a')).not.toBeNull()
    await expect(view.sched.start()).rejects.toThrow(/state view/)
    await view.sched.stop()
    const db = new Database(f.path, { readonly: true })
    expect(db.prepare('SELECT status, recovery FROM runs WHERE id = ?').get(Number(runId))).toEqual({
      status: 'running',
      recovery: null,
    })
    db.close()
    // A scheduler that runs marks it itself.
    const g = f.reopen()
    expect(g.store.getRun(Number(runId))).toMatchObject({ status: 'interrupted', recovery: 'pending' })
    g.store.close()
  })

  it.each<[ReconcileOutcome, string, string | null]>([
    [{ status: 'succeeded', result: { tx: '0xabc' } }, 'succeeded', null],
    [{ status: 'failed', error: 'tx reverted on chain' }, 'failed', 'escalated'],
    [{ status: 'needs_attention', reason: 'nonce used by an unknown tx' }, 'needs_attention', 'escalated'],
    [{ status: 'rerun' }, 'interrupted', null],
  ])('reconcile hook outcome %j is applied', async (outcome, status, escalated) => {
    const f = makeFixture()
    f.sched.registerTask({ type: 'send', handler: () => new Promise(() => undefined), recovery: 'reconcile' })
    f.sched.addJob({ id: 's', taskType: 'send', args: { to: '0x1' } })
    const runId = await crashWhileRunning(f, 's')
    const g = f.reopen()
    const asked: unknown[] = []
    let reruns = 0
    g.sched.registerTask({
      type: 'send',
      recovery: 'reconcile',
      handler: async () => void reruns++,
      reconcile: async (ctx) => {
        asked.push(ctx)
        return outcome
      },
    })
    await g.sched.start()
    await g.clock.settle()
    expect(asked).toEqual([expect.objectContaining({ jobId: 's', runId, args: { to: '0x1' } })])
    expect(g.sched.getRun(runId)?.status).toBe(status)
    expect(g.of('escalated').length).toBe(escalated ? 1 : 0)
    expect(reruns).toBe(outcome.status === 'rerun' ? 1 : 0)
    if (outcome.status === 'needs_attention')
      expect(g.of('needs_attention')[0]!.reason).toBe('nonce used by an unknown tx')
    await g.sched.stop()
  })

  it('derives a fire whose job row was not yet rewritten from its run: no second run for that fire time', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 'hang', handler: () => new Promise(() => undefined) })
    const start = f.clock.now()
    f.sched.addJob({ id: 'tick', taskType: 'hang', trigger: every(60_000), maxExecutions: 3 })
    await f.sched.start()
    await f.clock.advance(60_000)
    const [run] = f.sched.listRuns({ jobId: 'tick' }).runs
    expect(run).toMatchObject({ status: 'running', origin: 'schedule', scheduledFor: start + 60_000 })
    // The crash comes while the run executes: the stored row still shows the job before this fire.
    expect(f.store.getJob('tick')).toMatchObject({ executions: 0, lastFireAt: null, nextFireAt: start + 60_000 })

    const g = f.reopen()
    g.sched.registerTask({ type: 'hang', handler: async () => null })
    expect(g.sched.getJob('tick')).toMatchObject({
      executions: 1,
      lastFireAt: start + 60_000,
      nextFireAt: start + 120_000,
    })
    // Derived in memory only; the row catches up when the job is next written.
    expect(g.store.getJob('tick')).toMatchObject({ executions: 0 })
    expect(g.store.getJob('tick')!.stateRunId).toBeLessThan(Number(run!.id))
    await g.sched.start()
    await g.clock.settle()
    // The interrupted run is recovered once; the fire time it served is not fired again.
    const runs = g.sched.listRuns({ jobId: 'tick' }).runs
    expect(runs.filter((r) => r.origin === 'schedule')).toHaveLength(1)
    expect(runs.filter((r) => r.origin === 'recovery')).toHaveLength(1)
    await g.clock.advance(60_000)
    expect(g.sched.listRuns({ jobId: 'tick' }).runs.filter((r) => r.origin === 'schedule')).toHaveLength(2)
    // The row checkpoint writes the job row: nothing is left to derive.
    await g.clock.advance(ROW_CHECKPOINT_MS)
    expect(g.store.loadUnreflectedFires!()).toEqual([])
    expect(g.store.getJob('tick')).toMatchObject({ executions: 2, lastOutcome: 'succeeded' })
    await g.sched.stop()
  })

  it('does not count the runs of a removed job towards a new job with the same id', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 'hang', handler: () => new Promise(() => undefined) })
    f.sched.addJob({ id: 'x', taskType: 'hang', trigger: every(60_000) })
    await f.sched.start()
    await f.clock.advance(60_000)
    f.sched.removeJob('x')
    f.sched.addJob({ id: 'x', taskType: 'hang', trigger: every(60_000) })
    const g = f.reopen()
    // Nor the outcome of its run, cancelled by the removal.
    expect(g.sched.getJob('x')).toMatchObject({ executions: 0, lastFireAt: null, lastOutcome: null })
    await g.sched.stop()
  })

  it('derives a last outcome its job row does not hold from the run that finished last, for dependency decisions', async () => {
    const f = makeFixture({ maxConcurrentJobs: 4 })
    const gates = new Map<string, ReturnType<typeof deferred<void>>>()
    f.sched.registerTask({ type: 'ctl', handler: async ({ args }) => gates.get((args as { k: string }).k)!.promise })
    f.sched.addJob({ id: 'dep', taskType: 'ctl', maxInstances: 2, args: { k: 'none' } })
    f.sched.addJob({ id: 'child', taskType: 'ctl', dependencies: ['dep'], args: { k: 'child' } })
    await f.sched.start()
    for (const k of ['early', 'late']) gates.set(k, deferred())
    const early = f.sched.runNow('dep', { k: 'early' })
    const late = f.sched.runNow('dep', { k: 'late' })
    await f.clock.settle()
    // The later run succeeds first, then the earlier one fails: the latest finished run is the lower id.
    gates.get('late')!.resolve()
    await f.clock.settle()
    gates.get('early')!.reject(new Error('boom'))
    await f.clock.settle()
    expect(f.sched.getRun(late)?.status).toBe('succeeded')
    expect(f.sched.getRun(early)?.status).toBe('failed')
    expect(f.store.getJob('dep')?.lastOutcome).toBeNull()

    // A crash before the row checkpoint (the store closes under the abandoned scheduler, whose timers share the
    // clock). A state view (never started) derives the outcome without writing the row.
    f.store.close()
    const view = f.reopen()
    expect(view.sched.getJob('dep')?.lastOutcome).toBe('failed')
    await view.sched.stop()
    const g = f.reopen()
    expect(g.store.getJob('dep')?.lastOutcome).toBeNull()
    g.sched.registerTask({ type: 'ctl', handler: async () => null })
    await g.sched.start()
    // The first row checkpoint after start writes the derived outcome.
    await g.clock.advance(ROW_CHECKPOINT_MS)
    expect(g.store.getJob('dep')?.lastOutcome).toBe('failed')
    const child = g.sched.runNow('child')
    await g.clock.settle()
    expect(g.sched.getRun(child)).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/^dependency_failed: dep failed/),
    })
    await g.sched.stop()
  })

  it('writes rows that are behind at most once per checkpoint period, and the rest at stop', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 'noop', handler: async () => null })
    f.sched.addJob({ id: 'tick', taskType: 'noop', trigger: every(60_000) })
    await f.sched.start()
    await f.clock.advance(60_000)
    expect(f.sched.getJob('tick')).toMatchObject({ executions: 1, lastOutcome: 'succeeded' })
    expect(f.store.getJob('tick')).toMatchObject({ executions: 0, lastOutcome: null })
    await f.clock.advance(ROW_CHECKPOINT_MS)
    expect(f.store.getJob('tick')).toMatchObject({ executions: 1, lastOutcome: 'succeeded', outcomeSeq: 1 })
    // Every row holds every outcome numbered so far: loading starts after it.
    expect(f.store.getState(OUTCOME_CHECKPOINT_KEY)).toBe('1')
    await f.clock.advance(60_000 - ROW_CHECKPOINT_MS)
    expect(f.store.getJob('tick')).toMatchObject({ executions: 1 })
    await f.sched.stop()
    const g = f.reopen()
    expect(g.store.getJob('tick')).toMatchObject({ executions: 2, outcomeSeq: 2 })
    g.store.close()
  })

  it('upgrades a state file from before migrations 0009-0010 without counting its history as new fires or outcomes', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 'noop', handler: async () => null })
    f.sched.addJob({ id: 'tick', taskType: 'noop', trigger: every(60_000), maxExecutions: 5 })
    await f.sched.start()
    await f.clock.advance(180_000)
    await f.sched.stop()
    expect(f.sched.getJob('tick')).toMatchObject({ executions: 3 })
    // The file as 0008 left it: no marker columns, 0009 and 0010 not applied.
    const db = new Database(f.path)
    db.exec(`DROP INDEX runs_outcome; ALTER TABLE runs DROP COLUMN outcome_seq; ALTER TABLE jobs DROP COLUMN outcome_seq;
      ALTER TABLE jobs DROP COLUMN state_run_id; DELETE FROM schema_migrations WHERE name IN ('0009_job_state_run.sql', '0010_job_outcome_seq.sql')`)
    db.close()
    const g = f.reopen()
    expect(g.sched.getJob('tick')).toMatchObject({
      executions: 3,
      lastOutcome: 'succeeded',
      nextFireAt: f.sched.getJob('tick')!.nextFireAt,
    })
    expect(g.store.loadUnreflectedFires!()).toEqual([])
    await g.sched.stop()
  })

  it('needs attention when a reconcile task has no hook or the hook throws', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 'send', handler: () => new Promise(() => undefined) })
    f.sched.addJob({ id: 's', taskType: 'send', recovery: 'reconcile' })
    const runId = await crashWhileRunning(f, 's')
    const g = f.reopen()
    g.sched.registerTask({ type: 'send', handler: async () => null })
    await g.sched.start()
    await g.clock.settle()
    expect(g.sched.getRun(runId)).toMatchObject({
      status: 'needs_attention',
      reason: expect.stringMatching(/no reconcile hook/),
    })
    await g.sched.stop()
  })
})

describe('retention', () => {
  it('prunes finished history by count and by age', async () => {
    const f = makeFixture({ retention: { keepPerJob: 3, maxAgeMs: 10_000, intervalMs: 5_000 } })
    f.sched.registerTask({ type: 't', handler: async () => null })
    f.sched.addJob({ id: 'r', taskType: 't', trigger: every(1_000) })
    await f.sched.start()
    await f.clock.advance(4_500)
    expect(f.sched.listRuns({ jobId: 'r' }).runs).toHaveLength(4)
    await f.clock.advance(1_000)
    // The prune at t=5 s kept the newest 3 (runs 2-4); run 5 fired right after it.
    expect(f.sched.listRuns({ jobId: 'r' }).runs.map((r) => r.id)).toEqual([5, 4, 3, 2])
    f.sched.disable('r')
    await f.clock.advance(20_000)
    expect(f.sched.listRuns({ jobId: 'r' }).runs).toHaveLength(0)
    await f.sched.stop()
  })
})

describe('graceful shutdown', () => {
  it('starts nothing new, lets runs finish within the grace, aborts and records the rest, closes the store', async () => {
    const f = makeFixture()
    const quick = deferred()
    let stubbornSignal: AbortSignal | undefined
    f.sched.registerTask({ type: 'quick', handler: async () => quick.promise })
    f.sched.registerTask({
      type: 'stubborn',
      handler: ({ signal }) => {
        stubbornSignal = signal
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
      },
    })
    f.sched.addJob({ id: 'q', taskType: 'quick' })
    f.sched.addJob({ id: 's', taskType: 'stubborn', trigger: every(1_000) })
    await f.sched.start()
    const qRun = f.sched.runNow('q')
    await f.clock.advance(1_000)
    const sRun = f.sched.listRuns({ jobId: 's' }).runs[0]!
    const stopped = f.sched.stop({ graceMs: 5_000 })
    await f.clock.advance(1_000)
    quick.resolve()
    await f.clock.advance(1_000)
    expect(stubbornSignal?.aborted).toBe(false)
    await f.clock.advance(3_000)
    await stopped
    expect(stubbornSignal?.aborted).toBe(true)
    expect(() => f.store.getRun(1)).toThrow(/not open/)
    const g = f.reopen()
    expect(g.store.getRun(Number(qRun))?.status).toBe('succeeded')
    expect(g.store.getRun(sRun.id)).toMatchObject({ status: 'interrupted', recovery: 'pending' })
    // No run of `s` was started during the grace period although it fired every second.
    expect(g.sched.listRuns({ jobId: 's' }).runs).toHaveLength(1)
    g.store.close()
  })

  it('releases a pending runOnce when the scheduler stops, leaving its waiting runs stored', async () => {
    const f = makeFixture({ maxConcurrentJobs: 1 })
    f.sched.registerTask({
      type: 'slow',
      handler: ({ signal }) => new Promise((_, rej) => signal.addEventListener('abort', () => rej(signal.reason))),
    })
    f.sched.addJob({ id: 'a', taskType: 'slow' })
    f.sched.addJob({ id: 'b', taskType: 'slow' })
    const once = f.sched.runOnce()
    await f.clock.settle()
    const stopped = f.sched.stop({ graceMs: 100 })
    await f.clock.advance(100)
    await stopped
    const summary = await once
    expect(summary.ok).toBe(false)
    expect(Object.values(summary.counts).reduce((a, b) => a + b, 0)).toBe(2)
    expect(summary.counts).toEqual({ interrupted: 1, pending: 1 })
  })

  it('installSignalHandlers stops the scheduler on SIGTERM and forces on a second signal', async () => {
    const f = makeFixture()
    await f.sched.start()
    const stopped = deferred<string>()
    const forced: string[] = []
    const off = installSignalHandlers(f.sched, {
      graceMs: 10,
      onStopped: (s) => stopped.resolve(s),
      onForced: (s) => void forced.push(s),
    })
    process.emit('SIGTERM', 'SIGTERM')
    process.emit('SIGINT', 'SIGINT')
    expect(await stopped.promise).toBe('SIGTERM')
    expect(forced).toEqual(['SIGINT'])
    off()
    expect(process.listenerCount('SIGTERM')).toBe(0)
    expect(() => f.sched.runNow('x')).toThrow(/stopped/)
  })
})
