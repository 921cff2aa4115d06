// Run windows and dependency timeouts on a test clock (2026-01-01 is a Thursday; Berlin is UTC+1 in January).
import { describe, expect, it } from 'vitest'
import { windowState } from './run-window.ts'
import { makeFixture } from '../testing/fixture.ts'

const H = 3_600_000
const at = (d: number, h: number, m = 0) => Date.UTC(2026, 0, d, h, m)
const office = [
  {
    days: ['mon', 'tue', 'wed', 'thu', 'fri'] as ('mon' | 'tue' | 'wed' | 'thu' | 'fri')[],
    from: '09:00',
    to: '17:00',
    timezone: 'Europe/Berlin',
  },
]

describe('windowState', () => {
  it('knows inside, outside, overnight windows and the next opening across a weekend', () => {
    expect(windowState(office, at(1, 8), 'UTC')).toEqual({ open: true })
    expect(windowState(office, at(1, 7, 59), 'UTC')).toEqual({ open: false, nextOpening: at(1, 8) })
    expect(windowState(office, at(2, 16), 'UTC')).toEqual({ open: false, nextOpening: at(5, 8) })
    const night = [{ from: '22:00', to: '06:00' }]
    expect(windowState(night, at(1, 23), 'UTC')).toEqual({ open: true })
    expect(windowState(night, at(2, 5, 59), 'UTC')).toEqual({ open: true })
    expect(windowState(night, at(2, 6), 'UTC')).toEqual({ open: false, nextOpening: at(2, 22) })
  })
})

describe('run windows in the scheduler', () => {
  it('delays a due run outside its window to the opening, within its misfire grace', async () => {
    const f = makeFixture()
    const starts: number[] = []
    f.sched.registerTask({
      type: 't',
      handler: async () => {
        starts.push(f.clock.now())
      },
    })
    f.sched.addJob({ id: 'w', taskType: 't', trigger: 'daily_at_06:00', windows: office, misfireGraceTime: 4 * 24 * H })
    await f.sched.start()
    await f.clock.advance(at(1, 6) - f.clock.now())
    expect(starts).toEqual([])
    expect(f.of('delayed')[0]).toMatchObject({ until: at(1, 8), reason: expect.stringMatching(/^outside_window/) })
    expect(f.sched.explain('w').reasons.join('\n')).toMatch(/delayed it until 2026-01-01T08:00:00.000Z: outside_window/)
    await f.clock.advance(at(1, 8) - f.clock.now())
    expect(starts).toEqual([at(1, 8)])
    // Saturday's 06:00 fire waits for Monday's opening.
    await f.clock.advance(at(3, 6) - f.clock.now())
    await f.clock.advance(at(5, 7, 59) - f.clock.now())
    expect(starts).toEqual([at(1, 8), at(2, 8)])
    await f.clock.advance(at(5, 8) - f.clock.now())
    expect(starts).toEqual([at(1, 8), at(2, 8), at(5, 8)])
    await f.sched.stop()
  })

  it('records the run missed when the opening is beyond its grace; run-now ignores windows', async () => {
    const f = makeFixture()
    let runs = 0
    f.sched.registerTask({
      type: 't',
      handler: async () => {
        runs++
      },
    })
    f.sched.addJob({ id: 'w', taskType: 't', trigger: 'daily_at_06:00', windows: office, misfireGraceTime: H })
    await f.sched.start()
    await f.clock.advance(at(1, 6) - f.clock.now())
    expect(runs).toBe(0)
    const missed = f.of('missed')
    expect(missed).toHaveLength(1)
    expect(missed[0]!.run.reason).toMatch(
      /^outside_window: the next opening 2026-01-01T08:00:00.000Z is beyond misfireGraceTime/,
    )
    await f.clock.advance(H)
    expect(runs).toBe(0)
    f.sched.runNow('w')
    await f.clock.advance(1)
    expect(runs).toBe(1)
    await f.sched.stop()
  })
})

describe('dependencyTimeout', () => {
  it('cancels a run that waits on its dependencies too long, with reason dependency_timeout', async () => {
    const f = makeFixture()
    let runs = 0
    f.sched.registerTask({
      type: 't',
      handler: async () => {
        runs++
      },
    })
    f.sched.addJob({ id: 'up', taskType: 't', trigger: 'manual' })
    f.sched.addJob({
      id: 'down',
      taskType: 't',
      trigger: 'daily_at_01:00',
      dependencies: ['up'],
      dependencyTimeout: 10 * 60_000,
    })
    await f.sched.start()
    await f.clock.advance(at(1, 1, 9) - f.clock.now())
    expect(f.of('cancelled')).toHaveLength(0)
    await f.clock.advance(60_000)
    const cancelled = f.of('cancelled')
    expect(cancelled).toHaveLength(1)
    expect(cancelled[0]!.reason).toMatch(
      /^dependency_timeout: waited more than 600000 ms \(dependency up has not run yet\)/,
    )
    expect(f.sched.listRuns({ jobId: 'down', limit: 1 }).runs[0]).toMatchObject({
      status: 'cancelled',
      endedAt: at(1, 1, 10),
    })
    expect(runs).toBe(0)
    await f.sched.stop()
  })
})
