// Event triggers in the core: reported events and other jobs' outcomes fire runs, debounced, persisted, explained.
import { describe, expect, it } from 'vitest'
import { makeFixture } from './testing/fixture.ts'

describe('event triggers', () => {
  it('fires once per reported event, debounced, and survives a restart with its debounce state', async () => {
    const f = makeFixture()
    const seen: string[] = []
    f.sched.registerTask({
      type: 't',
      handler: async ({ runId }) => {
        seen.push(runId)
      },
    })
    f.sched.addJob({
      id: 'on-gas',
      taskType: 't',
      trigger: { type: 'event', on: { kind: 'gas', chainId: 1, belowGwei: 20 }, debounce: 60_000 },
    })
    await f.sched.start()
    expect(f.sched.getJob('on-gas')!.trigger).toBe('on gas chainId=1 belowGwei=20, at most once per 60 s')
    expect(f.sched.explain('on-gas').reasons.join('\n')).toMatch(/event trigger: runs on gas .*; last fired never/)
    await f.clock.advance(3_600_000)
    expect(seen).toHaveLength(0)

    const first = f.sched.fireEvent('on-gas', 'base fee 12 gwei < 20')
    expect(first).toHaveProperty('runId')
    await f.clock.advance(1)
    expect(seen).toHaveLength(1)
    expect(f.sched.getRun((first as { runId: string }).runId)!.reason).toBe('event: base fee 12 gwei < 20')
    expect(f.sched.fireEvent('on-gas', 'again')).toEqual({ ignored: expect.stringMatching(/^debounced/) })
    await f.sched.stop()

    const g = f.reopen()
    g.sched.registerTask({
      type: 't',
      handler: async ({ runId }) => {
        seen.push(runId)
      },
    })
    await g.sched.start()
    expect(g.sched.fireEvent('on-gas', 'after restart')).toEqual({ ignored: expect.stringMatching(/^debounced/) })
    await g.clock.advance(60_000)
    expect(g.sched.fireEvent('on-gas', 'later')).toHaveProperty('runId')
    await g.clock.advance(1)
    expect(seen).toHaveLength(2)
    expect(() => g.sched.fireEvent('nope', 'x')).toThrow(/unknown job|not found|no job/i)
    await g.sched.stop()
  })

  it('runs a job when another job succeeds or fails, as its trigger says', async () => {
    const f = makeFixture()
    const ran: string[] = []
    f.sched.registerTask({
      type: 'ok',
      handler: async ({ jobId }) => {
        ran.push(jobId)
      },
    })
    f.sched.registerTask({
      type: 'bad',
      handler: async () => {
        throw new Error('boom')
      },
    })
    f.sched.addJob({ id: 'a', taskType: 'ok', trigger: 'manual' })
    f.sched.addJob({ id: 'z', taskType: 'bad', trigger: 'manual', maxRetries: 0 })
    f.sched.addJob({
      id: 'after-a',
      taskType: 'ok',
      trigger: { type: 'event', on: { kind: 'job', job: 'a', outcome: 'succeeded' } },
    })
    f.sched.addJob({
      id: 'on-z-fail',
      taskType: 'ok',
      trigger: { type: 'event', on: { kind: 'job', job: 'z', outcome: 'failed' } },
    })
    f.sched.addJob({
      id: 'after-any',
      taskType: 'ok',
      trigger: { type: 'event', on: { kind: 'job', job: 'z', outcome: 'finished' } },
    })
    expect(() =>
      f.sched.addJob({
        id: 'x',
        taskType: 'ok',
        trigger: { type: 'event', on: { kind: 'job', job: 'a', outcome: 'sometimes' } },
      }),
    ).toThrow(/outcome/)
    await f.sched.start()
    f.sched.runNow('a')
    await f.clock.advance(10)
    expect(ran).toEqual(['a', 'after-a'])
    f.sched.runNow('z')
    await f.clock.advance(10)
    expect(ran.slice(2).sort()).toEqual(['after-any', 'on-z-fail'])
    expect(f.sched.getJob('after-a')!.trigger).toBe('when job a succeeded')
    await f.sched.stop()
  })
})
