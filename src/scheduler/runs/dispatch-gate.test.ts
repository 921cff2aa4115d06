// The dispatch gate at its edges: unreadable and throwing answers hold (fail closed), an async gate's run cancelled
// or stopped while it decides, the hold interval and recheckGate, and what each decision records and emits.
import { describe, expect, it } from 'vitest'
import type { GateDecision, GateInput, SchedulerOptions } from '../scheduler-types.ts'
import { deferred, makeFixture } from '../testing/fixture.ts'
import { createTestClock } from '../time/test-clock.ts'

/** A fixture on an in-memory database with the real migrations, for tests that never reopen it (no file syncs). */
const inMemory = (extra: Partial<SchedulerOptions> = {}) =>
  makeFixture(extra, { path: ':memory:', clock: createTestClock() })

describe('gate answers the scheduler cannot read', () => {
  it('holds the run for every malformed decision and for a throwing gate; well-formed ones apply', async () => {
    const t0 = Date.UTC(2026, 0, 1)
    const answers: Record<string, unknown> = {
      'skip-no-reason': { action: 'skip' },
      'hold-no-reason': { action: 'hold' },
      'delay-no-reason': { action: 'delay', until: t0 + 1_000 },
      'delay-nan': { action: 'delay', until: Number.NaN, reason: 'r' },
      'delay-infinite': { action: 'delay', until: Number.POSITIVE_INFINITY, reason: 'r' },
      'unknown-action': { action: 'maybe', reason: 'r' },
      'unknown-with-until': { action: 'later', until: t0 + 1_000, reason: 'r' },
      null: null,
      'run-no-reason': { action: 'run' },
      'skip-ok': { action: 'skip', reason: 'quiet market' },
    }
    const f = inMemory({
      maxConcurrentJobs: 20,
      gate: (run) => {
        if (run.jobId === 'throws') throw new Error('oracle down')
        return answers[run.jobId] as GateDecision
      },
    })
    const ran: string[] = []
    f.sched.registerTask({ type: 't', handler: async ({ jobId }) => void ran.push(jobId) })
    const ids = [...Object.keys(answers), 'throws']
    for (const id of ids) f.sched.addJob({ id, taskType: 't' })
    await f.sched.start()
    const runs = Object.fromEntries(ids.map((id) => [id, f.sched.runNow(id)]))
    await f.clock.settle()
    expect(ran).toEqual(['run-no-reason'])
    expect(f.sched.getRun(runs['skip-ok']!)).toMatchObject({ status: 'skipped', reason: 'gate: quiet market' })
    const malformed = ids.filter((id) => !['run-no-reason', 'skip-ok', 'throws'].includes(id))
    for (const id of malformed) {
      expect(f.sched.getRun(runs[id]!), id).toMatchObject({ status: 'held', gateAction: 'hold' })
      expect(f.sched.getRun(runs[id]!)!.gateReason, id).toMatch(/not a decision; the run is held/)
    }
    expect(f.sched.getRun(runs.throws!)).toMatchObject({
      status: 'held',
      gateReason: 'gate failed: Error: oracle down',
    })
    await f.sched.stop()
  })

  it('holds the run when an async gate rejects, with the rejection as its reason', async () => {
    const f = inMemory({ gate: async () => Promise.reject(new Error('feed timed out')) })
    f.sched.registerTask({ type: 't', handler: async () => null })
    f.sched.addJob({ id: 'a', taskType: 't' })
    await f.sched.start()
    const id = f.sched.runNow('a')
    await f.clock.settle()
    expect(f.sched.getRun(id)).toMatchObject({ status: 'held', gateReason: 'gate failed: Error: feed timed out' })
    expect(f.of('held').map((e) => e.reason)).toEqual(['gate failed: Error: feed timed out'])
    await f.sched.stop()
  })
})

describe('an async gate deciding while the run goes away', () => {
  it('a run cancelled while its gate decides stays cancelled and never starts, and frees its slot', async () => {
    const answer = deferred<GateDecision>()
    const f = makeFixture({
      maxConcurrentJobs: 1,
      gate: (run) => (run.jobId === 'a' ? answer.promise : { action: 'run' }),
    })
    const ran: string[] = []
    f.sched.registerTask({ type: 't', handler: async ({ jobId }) => void ran.push(jobId) })
    f.sched.addJob({ id: 'a', taskType: 't' })
    f.sched.addJob({ id: 'b', taskType: 't' })
    await f.sched.start()
    const a = f.sched.runNow('a')
    await f.clock.settle()
    f.sched.runNow('b')
    await f.clock.settle()
    // The deciding gate holds the only slot.
    expect(ran).toEqual([])
    expect(f.sched.cancelRun(a, 'operator')).toBe(true)
    answer.resolve({ action: 'run' })
    await f.clock.settle()
    expect(ran).toEqual(['b'])
    expect(f.sched.getRun(a)).toMatchObject({ status: 'cancelled', reason: 'operator' })
    await f.sched.stop()
    expect(f.reopen().sched.getRun(a)).toMatchObject({ status: 'cancelled' })
  })

  it('a run whose gate answers after the stop began does not start and stays stored pending', async () => {
    const answer = deferred<GateDecision>()
    const f = makeFixture({ gate: () => answer.promise })
    let ran = 0
    f.sched.registerTask({ type: 't', handler: async () => void ran++ })
    f.sched.addJob({ id: 'a', taskType: 't' })
    await f.sched.start()
    const a = f.sched.runNow('a')
    await f.clock.settle()
    const stopped = f.sched.stop()
    answer.resolve({ action: 'run' })
    await stopped
    await f.clock.settle()
    expect(ran).toBe(0)
    expect(f.reopen().sched.getRun(a)).toMatchObject({ status: 'pending', startedAt: null })
  })
})

describe('held and delayed runs', () => {
  it('re-asks the gate about held runs once per hold interval, not once per hold, and leaves delayed runs alone', async () => {
    const asked: string[] = []
    const f = inMemory({
      holdRecheckMs: 5_000,
      gate: (run) => {
        asked.push(run.jobId)
        if (run.jobId === 'd') return { action: 'delay', until: run.scheduledFor! + 3_600_000, reason: 'gas high' }
        return { action: 'hold', reason: 'breaker open' }
      },
    })
    f.sched.registerTask({ type: 't', handler: async () => null })
    for (const id of ['h1', 'h2', 'd']) f.sched.addJob({ id, taskType: 't' })
    await f.sched.start()
    f.sched.runNow('h1')
    f.sched.runNow('d')
    await f.clock.settle()
    await f.clock.advance(1_000)
    f.sched.runNow('h2')
    await f.clock.settle()
    expect(asked).toEqual(['h1', 'd', 'h2'])
    // One recheck at 5 s after the first hold covers both held runs; the delayed run waits for its time.
    await f.clock.advance(4_000)
    expect(asked.slice(3).sort()).toEqual(['h1', 'h2'])
    await f.clock.advance(1_000)
    expect(asked).toHaveLength(5)
    await f.clock.advance(4_000)
    expect(asked.slice(5).sort()).toEqual(['h1', 'h2'])
    expect(asked.filter((j) => j === 'd')).toHaveLength(1)
    await f.sched.stop()
  })

  it('recheckGate re-asks about delayed runs before their time, and leaves executing runs running', async () => {
    let open = false
    const release = deferred()
    const inputs: GateInput[] = []
    const f = inMemory({
      gate: (run) => {
        inputs.push(run)
        if (run.jobId === 'long' || open) return { action: 'run' }
        return { action: 'delay', until: run.scheduledFor! + 3_600_000, reason: 'gas high' }
      },
    })
    const ran: string[] = []
    f.sched.registerTask({
      type: 't',
      handler: async ({ jobId }) => {
        ran.push(jobId)
        if (jobId === 'long') await release.promise
      },
    })
    f.sched.addJob({ id: 'long', taskType: 't' })
    f.sched.addJob({ id: 'd', taskType: 't', priority: 'high', metadata: { venue: 'uni' }, args: { n: 1 } })
    await f.sched.start()
    const long = f.sched.runNow('long')
    const d = f.sched.runNow('d')
    await f.clock.settle()
    expect(f.sched.getRun(d)).toMatchObject({ status: 'delayed', gateUntil: Date.UTC(2026, 0, 1, 1) })
    open = true
    f.sched.recheckGate()
    await f.clock.settle()
    expect(ran).toEqual(['long', 'd'])
    expect(f.sched.getRun(long)).toMatchObject({ status: 'running' })
    expect(inputs.filter((i) => i.jobId === 'long')).toHaveLength(1)
    expect(inputs.at(-1)).toEqual({
      runId: d,
      originRunId: d,
      jobId: 'd',
      taskType: 't',
      priority: 'high',
      origin: 'manual',
      scheduledFor: Date.UTC(2026, 0, 1),
      args: { n: 1 },
      metadata: { venue: 'uni' },
      previous: { action: 'delay', reason: 'gas high' },
    })
    // The first decision on a run has no previous one.
    expect(inputs[1]!.previous).toBeNull()
    release.resolve()
    await f.clock.settle()
    expect(f.sched.getRun(long)).toMatchObject({ status: 'succeeded' })
    await f.sched.stop()
  })

  it('a delay into the past waits for nothing; each decision replaces the last one on the run and in its event', async () => {
    const answers: GateDecision[] = [
      { action: 'delay', until: Date.UTC(2025, 0, 1), reason: 'stale until' },
      { action: 'hold', reason: 'breaker open' },
      { action: 'run' },
    ]
    const f = inMemory({ gate: () => answers.shift()! })
    let ran = 0
    f.sched.registerTask({ type: 't', handler: async () => void ran++ })
    f.sched.addJob({ id: 'a', taskType: 't' })
    await f.sched.start()
    f.sched.runNow('a')
    await f.clock.settle()
    const now = f.clock.now()
    expect(f.of('delayed')).toEqual([expect.objectContaining({ jobId: 'a', until: now, reason: 'stale until' })])
    // The delay ends at once (it was due), the gate then holds the run: the hold replaces the delay's fields.
    await f.clock.advance(0)
    const held = f.of('held')
    expect(held).toEqual([expect.objectContaining({ jobId: 'a', reason: 'breaker open' })])
    expect(held[0]!.run).toMatchObject({ status: 'held', gateAction: 'hold', gateReason: 'breaker open' })
    expect(held[0]!.run.gateUntil).toBeNull()
    f.sched.recheckGate()
    await f.clock.settle()
    expect(ran).toBe(1)
    await f.sched.stop()
  })

  it('a delayed run cancelled before its time does not come back when the time passes', async () => {
    let asked = 0
    const f = inMemory({
      gate: (run) => (asked++, { action: 'delay', until: run.scheduledFor! + 10_000, reason: 'later' }),
    })
    f.sched.registerTask({ type: 't', handler: async () => null })
    f.sched.addJob({ id: 'a', taskType: 't' })
    await f.sched.start()
    const a = f.sched.runNow('a')
    await f.clock.settle()
    f.sched.cancelRun(a)
    await f.clock.advance(20_000)
    expect(asked).toBe(1)
    expect(f.sched.getRun(a)).toMatchObject({ status: 'cancelled' })
    await f.sched.stop()
  })
})
