// Jobs, control and typed errors of the scheduler.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DependencyError, ResourceAllocationError, SchedulerError, TaskSchedulingError } from './errors.ts'
import { deferred, every, makeFixture } from './testing/fixture.ts'

const noop = { type: 'noop', handler: async () => 'ok' }

describe('jobs', () => {
  it('validates specs and rejects duplicates, unknown task types and bad triggers with typed errors', () => {
    const f = makeFixture()
    f.sched.registerTask({ ...noop, argsSchema: z.object({ n: z.number() }).default({ n: 1 }) })
    f.sched.addJob({ id: 'a', taskType: 'noop', trigger: every(60_000), args: { n: 2 } })
    expect(() => f.sched.addJob({ id: 'a', taskType: 'noop' })).toThrow(TaskSchedulingError)
    expect(() => f.sched.addJob({ id: 'a', taskType: 'noop' })).toThrow(/already exists/)
    expect(() => f.sched.addJob({ id: 'b', taskType: 'nope' })).toThrow(/unknown task type "nope"/)
    expect(() =>
      f.sched.addJob({ id: 'c', taskType: 'noop', trigger: { type: 'interval', every: -1, unit: 's' } }),
    ).toThrow(TaskSchedulingError)
    expect(() => f.sched.addJob({ id: 'd', taskType: 'noop', args: { n: 'x' } })).toThrow(/invalid args/)
    expect(() => f.sched.addJob({ id: 'e', taskType: 'noop', priority: 'urgent' as never })).toThrow(/priority/)
    expect(() => f.sched.addJob({ id: 'f', taskType: 'noop', handler: async () => 1 })).toThrow(
      /exactly one of taskType or handler/,
    )
    const err = (() => {
      try {
        f.sched.addJob({ id: 'a', taskType: 'noop' })
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(SchedulerError)
    expect((err as SchedulerError).code).toBe('JOB_DUPLICATE')
    expect((err as SchedulerError).retryable).toBe(false)
    expect(f.sched.listJobs().map((j) => j.id)).toEqual(['a'])
  })

  it('rejects resource needs above a pool and unknown pools; names dependency cycles', () => {
    const f = makeFixture({ resourcePools: { 'wallet:0xA': 1 } })
    f.sched.registerTask(noop)
    expect(() => f.sched.addJob({ id: 'x', taskType: 'noop', resources: { 'wallet:0xA': 2 } })).toThrow(
      ResourceAllocationError,
    )
    expect(() => f.sched.addJob({ id: 'y', taskType: 'noop', resources: { 'rpc:1': 1 } })).toThrow(
      /unknown resource pool "rpc:1"/,
    )
    expect(() => f.sched.addJob({ id: 'z', taskType: 'noop', dependencies: ['ghost'] })).toThrow(DependencyError)
    f.sched.addJob({ id: 'a', taskType: 'noop' })
    f.sched.addJob({ id: 'b', taskType: 'noop', dependencies: ['a'] })
    f.sched.addJob({ id: 'c', taskType: 'noop', dependencies: ['b'] })
    let caught: unknown
    try {
      f.sched.setDependencies('a', ['c'])
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(DependencyError)
    expect((caught as Error).message).toContain('a -> c -> b -> a')
    expect((caught as DependencyError).cycle).toEqual(['a', 'c', 'b', 'a'])
    expect(() => f.sched.setDependencies('a', ['a'])).toThrow(/a -> a/)
    expect(f.sched.getJob('a')?.dependencies).toEqual([])
    expect(() => f.sched.removeJob('a')).toThrow(/b depend on it/)
  })

  it('persists taskType jobs and reloads them by name after a restart, with their schedule', async () => {
    const f = makeFixture()
    f.sched.registerTask(noop)
    f.sched.addJob({ id: 'p', taskType: 'noop', trigger: every(60_000), priority: 'high', metadata: { k: 1 } })
    f.sched.addJob({ id: 'mem', handler: async () => 1, trigger: every(60_000) })
    const before = f.sched.getJob('p')!
    const g = f.reopen()
    g.sched.registerTask(noop)
    const after = g.sched.getJob('p')!
    expect(after).toMatchObject({
      id: 'p',
      taskType: 'noop',
      priority: 'high',
      nextFireAt: before.nextFireAt,
      metadata: { k: 1 },
    })
    expect(after.trigger).toBe(before.trigger)
    // Inline-handler jobs are documented as in-memory only.
    expect(g.sched.getJob('mem')).toBeNull()
    await g.sched.start()
    await g.clock.advance(60_000)
    expect(g.of('succeeded').map((e) => e.jobId)).toEqual(['p'])
    await g.sched.stop()
  })
})

describe('control', () => {
  it('runNow with an args override, cancel of a pending and of a running run', async () => {
    const f = makeFixture({ maxConcurrentJobs: 1 })
    const seen: unknown[] = []
    const gate = deferred()
    const signals: AbortSignal[] = []
    f.sched.registerTask({
      type: 'slow',
      handler: async ({ args, signal }) => {
        seen.push(args)
        signals.push(signal)
        await Promise.race([
          gate.promise,
          new Promise((_, rej) => signal.addEventListener('abort', () => rej(signal.reason))),
        ])
        return args
      },
    })
    f.sched.addJob({ id: 's', taskType: 'slow', args: { v: 0 }, maxInstances: 2 })
    await f.sched.start()
    const r1 = f.sched.runNow('s', { v: 1 })
    const r2 = f.sched.runNow('s')
    await f.clock.settle()
    expect(seen).toEqual([{ v: 1 }])
    expect(f.sched.cancelRun(r2)).toBe(true)
    expect(f.sched.getRun(r2)?.status).toBe('cancelled')
    expect(f.sched.cancelRun(r1)).toBe(true)
    await f.clock.settle()
    expect(signals[0]!.aborted).toBe(true)
    const run1 = f.sched.getRun(r1)!
    expect(run1.status).toBe('cancelled')
    expect(run1.reason).toBe('cancelled by operator')
    expect(f.sched.cancelRun(r1)).toBe(false)
    expect(
      f
        .of('cancelled')
        .map((e) => e.runId)
        .sort(),
    ).toEqual([r1, r2].sort())
    await f.sched.stop()
  })

  it('pause/resume one job and all jobs; disable/enable; remove', async () => {
    const f = makeFixture()
    let runs = 0
    f.sched.registerTask({ type: 'count', handler: async () => ++runs })
    f.sched.addJob({ id: 'a', taskType: 'count', trigger: every(1_000) })
    await f.sched.start()
    await f.clock.advance(1_000)
    expect(runs).toBe(1)
    f.sched.pause('a')
    await f.clock.advance(3_000)
    expect(runs).toBe(1)
    expect(f.sched.explain('a').state).toBe('paused')
    f.sched.resume('a')
    await f.clock.advance(1_000)
    expect(runs).toBe(2)
    f.sched.pause()
    await f.clock.advance(2_000)
    expect(runs).toBe(2)
    expect(f.sched.explain('a').reasons).toContain('scheduler is paused')
    // Global pause is durable.
    const g = f.reopen()
    g.sched.registerTask({ type: 'count', handler: async () => 0 })
    expect(g.sched.explain('a').state).toBe('paused')
    f.sched.resume()
    await f.clock.advance(1_000)
    expect(runs).toBe(3)
    f.sched.disable('a')
    expect(f.sched.getJob('a')?.nextFireAt).toBeNull()
    expect(() => f.sched.runNow('a')).toThrow(/disabled/)
    await f.clock.advance(3_000)
    expect(runs).toBe(3)
    f.sched.enable('a')
    await f.clock.advance(1_000)
    expect(runs).toBe(4)
    f.sched.removeJob('a')
    await f.clock.advance(3_000)
    expect(runs).toBe(4)
    expect(f.sched.getJob('a')).toBeNull()
    await f.sched.stop()
    expect(() => f.sched.addJob({ id: 'late', taskType: 'count' })).toThrow(/stopped/)
  })

  it('keeps one clock timer for many jobs', async () => {
    const f = makeFixture({ maxConcurrentJobs: 200 })
    f.sched.registerTask(noop)
    f.sched.addJobs(
      Array.from({ length: 200 }, (_, i) => ({ id: `j${i}`, taskType: 'noop', trigger: every(1_000 * (1 + (i % 3))) })),
    )
    await f.sched.start()
    await f.clock.advance(5_000)
    expect(f.clock.pendingTimers()).toBe(1)
    let due = 0
    for (let i = 0; i < 200; i++) due += Math.floor(5_000 / (1_000 * (1 + (i % 3))))
    expect(f.of('succeeded').length).toBe(due)
    expect(f.of('skipped')).toHaveLength(0)
    await f.sched.stop()
    expect(f.clock.pendingTimers()).toBe(0)
  })
})
