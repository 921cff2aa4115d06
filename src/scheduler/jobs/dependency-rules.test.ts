// Every way a dependency can end, under every trigger rule, on the real scheduler and a real SQLite store; and random
// DAGs with random outcomes, which must always end with no run left waiting.
import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors/app-error.ts'
import { TRIGGER_RULES, type TriggerRule } from './dependency-rules.ts'
import type { GateDecision, GateInput } from '../scheduler-types.ts'
import type { RunStatus } from '../store/store-port.ts'
import { makeFixture, type Fixture } from '../testing/fixture.ts'

type Ending = 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'missed' | 'needs_attention' | 'disabled'
const ENDINGS: Ending[] = ['succeeded', 'failed', 'cancelled', 'skipped', 'missed', 'needs_attention', 'disabled']
const ACCEPTED: Record<TriggerRule, Ending[]> = {
  all_success: ['succeeded'],
  none_failed: ['succeeded', 'skipped', 'missed', 'disabled'],
  all_done: ENDINGS,
}
// A window that is closed at the test clock's start (00:00 UTC) and opens far beyond the grace: a run there is missed.
const CLOSED_WINDOW = [{ from: '12:00', to: '12:01' }]

/** How each job ends, told to the task and the gate through the job's args. */
function planTask(f: Fixture, ran: string[]): void {
  f.sched.registerTask({
    type: 't',
    recovery: 'reconcile',
    handler: async ({ args, jobId, signal }) => {
      ran.push(jobId)
      const end = (args as { end?: Ending }).end
      if (end === 'failed') throw new AppError('BROKEN', `${jobId} broke`, { retryable: false })
      if (end === 'needs_attention') await new Promise((resolve) => signal.addEventListener('abort', resolve))
      return null
    },
  })
}

function gate(input: GateInput): GateDecision {
  const end = (input.args as { end?: Ending }).end
  if (end === 'skipped') return { action: 'skip', reason: 'gas above cap until max delay' }
  if (end === 'cancelled') return { action: 'hold', reason: 'held until an operator acts' }
  return { action: 'run' }
}

/**
 * The job of an ending. A missed run comes from a closed run window under `--once` (`via: 'once'`), or, for a run the
 * test starts by hand (run-now bypasses windows), from a date fire the scheduler slept through.
 */
function depSpec(end: Ending, via: 'once' | 'now', now: number) {
  const missed =
    end !== 'missed'
      ? {}
      : via === 'once'
        ? { windows: CLOSED_WINDOW, misfireGraceTime: 1_000 }
        : { trigger: { type: 'date', at: now + 1_000 }, misfireGraceTime: 1_000 }
  return { id: 'dep', taskType: 't', args: { end }, enabled: end !== 'disabled', ...missed }
}

/** Brings `dep` to its ending (a crash during its run gives needs_attention: reconcile without a hook). */
async function endDependency(f: Fixture, end: Ending, rule: TriggerRule): Promise<Fixture> {
  planTask(f, [])
  f.sched.addJob(depSpec(end, 'now', f.clock.now()))
  f.sched.addJob({ id: 'child', taskType: 't', dependencies: ['dep'], triggerRule: rule })
  // The scheduler is down while the date passes, beyond the grace: its start records the fire missed.
  if (end === 'missed') await f.clock.advance(3_600_000)
  await f.sched.start()
  await f.clock.advance(1)
  if (end === 'disabled' || end === 'missed') return f
  const run = f.sched.runNow('dep')
  await f.clock.settle()
  if (end === 'cancelled') f.sched.cancelRun(run, 'operator cancelled it')
  if (end !== 'needs_attention') {
    await f.clock.settle()
    return f
  }
  f.store.close()
  const g = f.reopen({ gate })
  g.sched.registerTask({ type: 't', recovery: 'reconcile', handler: async () => null })
  await g.sched.start()
  await g.clock.settle()
  return g
}

describe('dependency outcomes under each trigger rule', () => {
  for (const rule of TRIGGER_RULES) {
    for (const end of ENDINGS) {
      const runs = ACCEPTED[rule].includes(end)
      it(`${rule}: a dependency that ${end === 'disabled' ? 'is disabled and never ran' : `ended ${end}`} ${runs ? 'lets the dependent run' : 'cancels the dependent'}`, async () => {
        const f = await endDependency(makeFixture({ gate }), end, rule)
        if (end !== 'disabled') expect(f.sched.getJob('dep')?.lastOutcome).toBe(end)
        const child = f.sched.runNow('child')
        await f.clock.settle()
        const run = f.sched.getRun(child)!
        if (runs) expect(run.status).toBe('succeeded')
        else {
          expect(run.status).toBe('cancelled')
          expect(run.reason).toMatch(new RegExp(`^dependency_${end}: dep `))
        }
        if (end === 'skipped' && !runs)
          expect(run.reason).toBe('dependency_skipped: dep was skipped: gate: gas above cap until max delay')
        expect(f.sched.explain('child').runs).toEqual([])
        await f.sched.stop()
      })
    }
  }

  it('a run interrupted and rerun decides through its rerun: the dependent waits for it', async () => {
    const f = makeFixture()
    let calls = 0
    f.sched.registerTask({
      type: 'slow',
      handler: async ({ signal }) => {
        if (++calls === 1) await new Promise((resolve) => signal.addEventListener('abort', resolve))
        return null
      },
    })
    f.sched.registerTask({ type: 't', handler: async () => null })
    f.sched.addJob({ id: 'dep', taskType: 'slow' })
    f.sched.addJob({ id: 'child', taskType: 't', dependencies: ['dep'] })
    await f.sched.start()
    f.sched.runNow('dep')
    await f.clock.settle()
    f.store.close()
    const g = f.reopen()
    g.sched.registerTask({ type: 'slow', handler: async () => null })
    g.sched.registerTask({ type: 't', handler: async () => null })
    const child = g.sched.runNow('child')
    await g.sched.start()
    await g.clock.settle()
    expect(g.sched.getJob('dep')?.lastOutcome).toBe('succeeded')
    expect(g.sched.getRun(child)?.status).toBe('succeeded')
    await g.sched.stop()
  })

  it('a trigger rule is validated and stored with the job', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 't', handler: async () => null })
    expect(() => f.sched.addJob({ id: 'x', taskType: 't', triggerRule: 'one_success' as TriggerRule })).toThrow(
      /triggerRule/,
    )
    f.sched.addJob({ id: 'a', taskType: 't' })
    f.sched.addJob({ id: 'b', taskType: 't', dependencies: ['a'], triggerRule: 'none_failed' })
    await f.sched.stop()
    const g = f.reopen()
    expect(g.sched.getJob('b')?.triggerRule).toBe('none_failed')
    expect(g.sched.explain('b').triggerRule).toBe('none_failed')
    expect(g.sched.getJob('a')?.triggerRule).toBe('all_success')
    await g.sched.stop()
  })
})

/** A small seeded PRNG (mulberry32): the same seed draws the same DAG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

describe('random DAGs with random outcomes (property)', () => {
  const OWN: Ending[] = ['succeeded', 'failed', 'skipped', 'missed', 'disabled']
  it('a finite plan always ends with no run waiting, and each job ran exactly when its rule accepted its dependencies', async () => {
    for (let seed = 1; seed <= 16; seed++) {
      const rand = prng(seed)
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
      const n = 4 + Math.floor(rand() * 7)
      const jobs = Array.from({ length: n }, (_, i) => {
        const deps = Array.from({ length: i }, (_, j) => `j${j}`).filter(() => rand() < 0.35)
        return { id: `j${i}`, deps, rule: pick(TRIGGER_RULES), end: pick(OWN) }
      })
      const f = makeFixture({ gate })
      const ran: string[] = []
      planTask(f, ran)
      for (const j of jobs) {
        f.sched.addJob({
          ...depSpec(j.end, 'once', f.clock.now()),
          id: j.id,
          dependencies: j.deps,
          triggerRule: j.rule,
        })
      }
      await f.sched.start()
      const once = f.sched.runOnce()
      await f.clock.settle()
      const summary = await once
      // The model: in topological (index) order, a job's own ending applies when its rule accepts its dependencies.
      // A closed run window is checked first: such a run is missed whatever its dependencies do.
      const fate = new Map<string, RunStatus | 'disabled'>()
      for (const j of jobs) {
        if (j.end === 'disabled' || j.end === 'missed') {
          fate.set(j.id, j.end)
          continue
        }
        const blocked = j.deps.find((d) => !ACCEPTED[j.rule].includes(fate.get(d) as Ending))
        fate.set(j.id, blocked ? 'cancelled' : j.end)
      }
      const actual = new Map(summary.runs.map((r) => [r.jobId, r.status]))
      for (const j of jobs) {
        const context = `seed ${seed}, job ${j.id} (${j.rule}, deps ${j.deps.join(',') || '-'})`
        expect(actual.get(j.id) ?? 'disabled', context).toBe(fate.get(j.id))
      }
      for (const j of jobs) expect(f.sched.explain(j.id).runs, `seed ${seed}: ${j.id} still waits`).toEqual([])
      expect(f.store.listRuns({ status: 'pending' }).runs).toEqual([])
      await f.sched.stop()
    }
  })
})
