// maxExecutions, trigger phase across restarts, short patterns, fail-closed store writes, and the real clock.
import { describe, expect, it } from 'vitest'
import { createSqliteSchedulerStore } from '../store/sqlite-scheduler-store.ts'
import { createRealClock } from './time/clock.ts'
import { createScheduler } from './scheduler.ts'
import type { SchedulerStore } from './store/store-port.ts'
import { createTestClock } from './time/test-clock.ts'
import { createTimeline } from './time/timeline.ts'
import { every, makeFixture } from './testing/fixture.ts'

describe('triggers in the scheduler', () => {
  it('stops after maxExecutions runs', async () => {
    const f = makeFixture()
    let runs = 0
    f.sched.registerTask({ type: 't', handler: async () => ++runs })
    f.sched.addJob({ id: 'x', taskType: 't', trigger: every(1_000), maxExecutions: 3 })
    await f.sched.start()
    await f.clock.advance(10_000)
    expect(runs).toBe(3)
    expect(f.sched.getJob('x')?.nextFireAt).toBeNull()
    expect(f.sched.explain('x').reasons).toContain('maxExecutions 3 reached')
    await f.sched.stop()
  })

  it("keeps an interval pattern's phase across a restart and resolves short patterns in a time zone", async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 't', handler: async () => null })
    f.clock.settle()
    f.sched.addJob({ id: 'iv', taskType: 't', trigger: 'interval_30m' })
    f.sched.addJob({ id: 'berlin', taskType: 't', trigger: 'daily_at_09:30', timezone: 'Europe/Berlin' })
    const first = f.sched.getJob('iv')!.nextFireAt!
    expect(first).toBe(f.clock.now() + 30 * 60_000)
    // 2026-01-01 is winter time (UTC+1): 09:30 in Berlin is 08:30 UTC.
    expect(new Date(f.sched.getJob('berlin')!.nextFireAt!).toISOString()).toBe('2026-01-01T08:30:00.000Z')
    await f.clock.jump(7 * 60_000)
    const g = f.reopen()
    g.sched.registerTask({ type: 't', handler: async () => null })
    expect(g.sched.getJob('iv')!.nextFireAt).toBe(first)
    await g.sched.start()
    await g.clock.advance(first - g.clock.now())
    expect(g.of('succeeded').map((e) => e.jobId)).toEqual(['iv'])
    expect(g.sched.getJob('iv')!.nextFireAt).toBe(first + 30 * 60_000)
    await g.sched.stop()
  })
})

describe('fail-closed store writes', () => {
  it('starts nothing while the store cannot persist a start, and resumes when it can', async () => {
    const clock = createTestClock()
    const real = createSqliteSchedulerStore({ path: ':memory:' })
    let broken = false
    const store: SchedulerStore = {
      ...real,
      applyBatch(ops) {
        if (broken) throw new Error('disk full')
        real.applyBatch(ops)
      },
      submitBatch(ops) {
        if (broken) throw new Error('disk full')
        return real.submitBatch!(ops)
      },
    }
    const sched = createScheduler({ store, clock })
    let runs = 0
    sched.registerTask({ type: 't', handler: async () => ++runs })
    sched.addJob({ id: 'a', taskType: 't' })
    await sched.start()
    broken = true
    expect(() => sched.runNow('a')).toThrow(/disk full/)
    await clock.advance(3_000)
    expect(runs).toBe(0)
    expect(sched.explain('a').reasons.join('\n')).toMatch(/store cannot be written/)
    broken = false
    await clock.advance(1_000)
    expect(runs).toBe(1)
    expect(real.listRuns({ jobId: 'a' }).runs[0]?.status).toBe('succeeded')
    await sched.stop()
  })
})

describe('timeline and clocks', () => {
  it('fires entries in time order, then insertion order, and skips cancelled ones', async () => {
    const clock = createTestClock(0)
    const t = createTimeline(clock)
    const seen: string[] = []
    t.at(20, () => seen.push('b'))
    t.at(10, () => seen.push('a'))
    const c = t.at(15, () => seen.push('cancelled'))
    t.at(20, () => seen.push('c'))
    c.cancel()
    expect(t.size()).toBe(3)
    expect(clock.pendingTimers()).toBe(1)
    await clock.advance(25)
    expect(seen).toEqual(['a', 'b', 'c'])
    expect(t.nextAt()).toBeNull()
    expect(clock.pendingTimers()).toBe(0)
  })

  it('runs a job on the real clock', async () => {
    const store = createSqliteSchedulerStore({ path: ':memory:' })
    const sched = createScheduler({ store, clock: createRealClock() })
    const ran = new Promise<number>((resolve) => {
      sched.registerTask({ type: 't', handler: async () => resolve(Date.now()) })
    })
    sched.addJob({ id: 'r', taskType: 't', trigger: { type: 'date', at: Date.now() + 50 } })
    await sched.start()
    const at = await ran
    expect(at).toBeGreaterThanOrEqual(sched.getJob('r')!.lastFireAt!)
    await sched.stop()
  })
})
