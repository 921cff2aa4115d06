// What keeps a due run from starting, as dispatch applies it and as explain reports it: pauses, task, instances,
// slots, run windows, dependencies (never ran, disabled, removed, cascades, timeouts), and a scheduler not running.
import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors/app-error.ts'
import type { SchedulerOptions } from '../scheduler-types.ts'
import { sampleJob } from '../testing/store-conformance.ts'
import { deferred, every, makeFixture } from '../testing/fixture.ts'
import { createTestClock } from '../time/test-clock.ts'

/** A fixture on an in-memory database with the real migrations, for tests that never reopen it (no file syncs). */
const inMemory = (extra: Partial<SchedulerOptions> = {}) =>
  makeFixture(extra, { path: ':memory:', clock: createTestClock() })

const SLOTS = 'all 1 slots (maxConcurrentJobs) are in use'
const waitingFor = (f: ReturnType<typeof makeFixture>, jobId: string) =>
  f.sched.explain(jobId).runs.map((r) => r.waitingFor)

describe('explain: what blocks a pending run', () => {
  it('names nothing for a run whose dependencies succeeded and that starts at the next pass', async () => {
    const f = inMemory()
    f.sched.registerTask({ type: 't', handler: async () => null })
    f.sched.addJob({ id: 'a', taskType: 't' })
    f.sched.addJob({ id: 'x', taskType: 't', dependencies: ['a'] })
    await f.sched.start()
    f.sched.runNow('a')
    await f.clock.settle()
    f.sched.runNow('x')
    expect(waitingFor(f, 'x')).toEqual([['nothing: it starts at the next dispatch pass (or its gate is deciding)']])
    await f.clock.settle()
    expect(f.of('succeeded').map((e) => e.jobId)).toEqual(['a', 'x'])
    await f.sched.stop()
  })

  it('names instances, slots and closed run windows (in the job time zone); manual runs ignore windows', async () => {
    const f = inMemory({ maxConcurrentJobs: 1 })
    const release = deferred()
    f.sched.registerTask({
      type: 't',
      handler: async ({ jobId }) => {
        if (jobId === 'busy') await release.promise
      },
    })
    f.sched.addJob({ id: 'busy', taskType: 't' })
    // 12:00-13:00 in Tokyo is 03:00-04:00 UTC: closed at 00:01 UTC.
    const tokyo = [{ from: '12:00', to: '13:00' }]
    f.sched.addJob({ id: 'w', taskType: 't', trigger: every(60_000), windows: tokyo, timezone: 'Asia/Tokyo' })
    f.sched.addJob({ id: 'open', taskType: 't', trigger: every(60_000), windows: [{ from: '00:00', to: '12:00' }] })
    f.sched.addJob({ id: 'plain', taskType: 't', trigger: every(60_000) })
    await f.sched.start()
    f.sched.runNow('busy')
    await f.clock.settle()
    f.sched.runNow('busy')
    await f.clock.advance(60_000)
    f.sched.runNow('w')
    expect(waitingFor(f, 'busy')).toEqual([[], ['maxInstances 1 reached: a previous run is still executing', SLOTS]])
    expect(waitingFor(f, 'w')).toEqual([['outside its run windows until 2026-01-01T03:00:00.000Z', SLOTS], [SLOTS]])
    expect(waitingFor(f, 'open')).toEqual([[SLOTS]])
    expect(waitingFor(f, 'plain')).toEqual([[SLOTS]])
    release.resolve()
    await f.sched.stop()
  })

  it('names pauses and an unregistered task type; runs wait until each is lifted', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 't', handler: async () => null })
    // A stored job whose task type this process has not registered (yet).
    f.store.applyBatch([
      {
        op: 'putJob',
        job: sampleJob('later', {
          taskType: 'later-task',
          specJson: JSON.stringify({ id: 'later', taskType: 'later-task' }),
          nextFireAt: null,
        }),
      },
    ])
    const g = f.reopen()
    const ran: string[] = []
    g.sched.registerTask({ type: 't', handler: async ({ jobId }) => void ran.push(jobId) })
    g.sched.addJob({ id: 'other', taskType: 't' })
    await g.sched.start()
    g.sched.pause()
    g.sched.pause('later')
    g.sched.runNow('later')
    g.sched.runNow('other')
    await g.clock.settle()
    expect(ran).toEqual([])
    expect(waitingFor(g, 'later')).toEqual([
      ['scheduler is paused', 'job is paused', 'task type "later-task" is not registered'],
    ])
    expect(waitingFor(g, 'other')).toEqual([['scheduler is paused']])
    g.sched.resume()
    await g.clock.settle()
    expect(ran).toEqual(['other'])
    expect(waitingFor(g, 'later')).toEqual([['job is paused', 'task type "later-task" is not registered']])
    g.sched.resume('later')
    await g.clock.settle()
    expect(waitingFor(g, 'later')).toEqual([['task type "later-task" is not registered']])
    g.sched.registerTask({ type: 'later-task', handler: async ({ jobId }) => void ran.push(jobId) })
    g.sched.runNow('other')
    await g.clock.settle()
    expect(ran).toEqual(['other', 'later', 'other'])
    await g.sched.stop()
  })
})

describe('dispatch: dependencies', () => {
  it('waits on a dependency that never ran; a disabled one cancels under all_success and passes under none_failed', async () => {
    const f = inMemory()
    const ran: string[] = []
    f.sched.registerTask({ type: 't', handler: async ({ jobId }) => void ran.push(jobId) })
    f.sched.addJob({ id: 'never', taskType: 't' })
    f.sched.addJob({ id: 'off', taskType: 't', enabled: false })
    f.sched.addJob({ id: 'x1', taskType: 't', dependencies: ['never'] })
    f.sched.addJob({ id: 'x2', taskType: 't', dependencies: ['off'] })
    f.sched.addJob({ id: 'x3', taskType: 't', dependencies: ['off'], triggerRule: 'none_failed' })
    await f.sched.start()
    const x1 = f.sched.runNow('x1')
    const x2 = f.sched.runNow('x2')
    f.sched.runNow('x3')
    await f.clock.settle()
    expect(ran).toEqual(['x3'])
    expect(f.sched.getRun(x1)).toMatchObject({ status: 'pending' })
    expect(waitingFor(f, 'x1')).toEqual([['dependency never has not run yet']])
    // Without a dependencyTimeout the wait arms no timer: time passing changes nothing.
    await f.clock.advance(5_000)
    expect(f.sched.getRun(x1)).toMatchObject({ status: 'pending' })
    expect(f.sched.getRun(x2)).toMatchObject({
      status: 'cancelled',
      reason: 'dependency_disabled: off is disabled and never ran',
    })
    f.sched.runNow('never')
    await f.clock.settle()
    expect(ran).toEqual(['x3', 'never', 'x1'])
    await f.sched.stop()
  })

  it('cancels the run of a job whose stored dependency no longer exists', async () => {
    const f = makeFixture()
    f.store.applyBatch([
      {
        op: 'putJob',
        job: sampleJob('orphan', {
          taskType: 't',
          specJson: JSON.stringify({ id: 'orphan', taskType: 't', dependencies: ['gone'] }),
          nextFireAt: null,
        }),
      },
    ])
    const g = f.reopen()
    let ran = 0
    g.sched.registerTask({ type: 't', handler: async () => void ran++ })
    await g.sched.start()
    const id = g.sched.runNow('orphan')
    await g.clock.settle()
    expect(ran).toBe(0)
    expect(g.sched.getRun(id)).toMatchObject({
      status: 'cancelled',
      reason: 'dependency_removed: gone no longer exists',
    })
    await g.sched.stop()
  })

  it('cascades a cancellation to a dependent queued before the run it waits on', async () => {
    const f = inMemory()
    f.sched.registerTask({
      type: 't',
      handler: async ({ jobId }) => {
        if (jobId === 'f') throw new AppError('BROKEN', 'broken', { retryable: false })
      },
    })
    f.sched.addJob({ id: 'f', taskType: 't' })
    f.sched.addJob({ id: 'b', taskType: 't', dependencies: ['f'] })
    f.sched.addJob({ id: 'c', taskType: 't', dependencies: ['b'] })
    await f.sched.start()
    f.sched.runNow('f')
    await f.clock.settle()
    // c is queued first and waits on b's run; b's cancellation must still reach it.
    const c = f.sched.runNow('c')
    const b = f.sched.runNow('b')
    await f.clock.settle()
    expect(f.sched.getRun(b)).toMatchObject({ status: 'cancelled' })
    expect(f.sched.getRun(c)).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/^dependency_cancelled: b was cancelled: dependency_failed: f failed/),
    })
    await f.sched.stop()
  })

  it('a dependency timeout cascades too, and never cancels a run whose dependencies are met', async () => {
    const f = inMemory({ maxConcurrentJobs: 4 })
    const release = deferred()
    const ran: string[] = []
    f.sched.registerTask({
      type: 't',
      handler: async ({ jobId }) => {
        ran.push(jobId)
        if (jobId === 'slow') await release.promise
      },
    })
    f.sched.definePool('venue', 1)
    f.sched.addJob({ id: 'ok', taskType: 't' })
    f.sched.addJob({ id: 'slow', taskType: 't', resources: { venue: 1 } })
    f.sched.addJob({ id: 'b', taskType: 't', dependencies: ['slow'], dependencyTimeout: 1_000 })
    f.sched.addJob({ id: 'c', taskType: 't', dependencies: ['b'] })
    // Its dependency succeeded; it waits for the pool, not for a dependency, so its timeout does not apply.
    f.sched.addJob({
      id: 'late',
      taskType: 't',
      dependencies: ['ok'],
      resources: { venue: 1 },
      dependencyTimeout: 1_000,
    })
    await f.sched.start()
    f.sched.runNow('ok')
    f.sched.runNow('slow')
    await f.clock.settle()
    const c = f.sched.runNow('c')
    const b = f.sched.runNow('b')
    const late = f.sched.runNow('late')
    await f.clock.advance(1_000)
    expect(f.sched.getRun(b)).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/^dependency_timeout/),
    })
    expect(f.sched.getRun(c)).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/^dependency_cancelled/),
    })
    expect(f.sched.getRun(late)).toMatchObject({ status: 'pending' })
    release.resolve()
    await f.clock.settle()
    expect(ran).toEqual(['ok', 'slow', 'late'])
    await f.sched.stop()
  })
})

describe('dispatch: a scheduler that is not running starts nothing', () => {
  it('queues a run made before start() and starts it only once started', async () => {
    const f = inMemory()
    let ran = 0
    f.sched.registerTask({ type: 't', handler: async () => void ran++ })
    f.sched.addJob({ id: 'a', taskType: 't' })
    f.sched.runNow('a')
    await f.clock.settle()
    expect(ran).toBe(0)
    await f.sched.start()
    await f.clock.settle()
    expect(ran).toBe(1)
    await f.sched.stop()
  })

  it('starts no queued run while stopping, even when a slot frees during the grace period', async () => {
    const f = makeFixture({ maxConcurrentJobs: 1 })
    const release = deferred()
    const ran: string[] = []
    f.sched.registerTask({
      type: 't',
      handler: async ({ jobId }) => {
        ran.push(jobId)
        if (jobId === 'long') await release.promise
      },
    })
    f.sched.addJob({ id: 'long', taskType: 't' })
    f.sched.addJob({ id: 'next', taskType: 't' })
    await f.sched.start()
    f.sched.runNow('long')
    const next = f.sched.runNow('next')
    await f.clock.settle()
    const stopped = f.sched.stop({ graceMs: 60_000 })
    release.resolve()
    await f.clock.settle()
    await stopped
    expect(ran).toEqual(['long'])
    expect(f.reopen().sched.getRun(next)).toMatchObject({ status: 'pending' })
  })
})
