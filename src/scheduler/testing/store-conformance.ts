// Shared conformance suite every SchedulerStore implementation runs (SQLite now, PostgreSQL later).
import { describe, expect, it, afterEach } from 'vitest'
import type { JobRecord, RunRecord, SchedulerStore } from '../store/store-port.ts'

/** Builds a job record with sensible defaults for store tests. */
export function sampleJob(id: string, over: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    taskType: 'noop',
    specJson: JSON.stringify({ id }),
    enabled: true,
    paused: false,
    priority: 'normal',
    nextFireAt: 1_000,
    lastFireAt: null,
    executions: 0,
    lastOutcome: null,
    createdAt: 1,
    updatedAt: 1,
    ...over,
  }
}

/** Builds a run record with sensible defaults for store tests. */
export function sampleRun(id: number, jobId: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    jobId,
    status: 'pending',
    origin: 'schedule',
    scheduledFor: 1_000,
    createdAt: 1_000 + id,
    startedAt: null,
    endedAt: null,
    attempt: 0,
    error: null,
    resultJson: null,
    argsJson: null,
    reason: null,
    gateAction: null,
    gateReason: null,
    gateUntil: null,
    missedCount: null,
    recoveredFrom: null,
    recovery: null,
    ...over,
  }
}

/**
 * Registers the store conformance tests. `makeStore` returns a fresh, empty store; `reopen` (optional)
 * reopens the same storage to prove durability across a restart. `features` names optional port methods the store has.
 */
export function describeStoreConformance(
  name: string,
  makeStore: () => { store: SchedulerStore; reopen?: () => SchedulerStore },
  features: { derivesJobState?: boolean } = {},
): void {
  describe(`SchedulerStore conformance: ${name}`, () => {
    const opened: SchedulerStore[] = []
    const fresh = () => {
      const made = makeStore()
      opened.push(made.store)
      return made
    }
    afterEach(() => {
      for (const s of opened.splice(0)) s.close()
    })

    it('round-trips jobs and updates them in place', () => {
      const { store } = fresh()
      // Stores that derive job state keep each row's markers (0 when never given).
      const asStored = (j: JobRecord) =>
        store.loadUnreflectedFires ? { ...j, stateRunId: j.stateRunId ?? 0, outcomeSeq: j.outcomeSeq ?? 0 } : j
      store.applyBatch([
        { op: 'putJob', job: sampleJob('a') },
        { op: 'putJob', job: sampleJob('b', { paused: true }) },
      ])
      store.applyBatch([
        { op: 'putJob', job: sampleJob('a', { executions: 3, lastOutcome: 'failed', nextFireAt: null }) },
      ])
      expect(store.getJob('a')).toEqual(
        asStored(sampleJob('a', { executions: 3, lastOutcome: 'failed', nextFireAt: null })),
      )
      const {
        specJson: _s,
        taskType: _t,
        createdAt: _c,
        ...state
      } = sampleJob('a', { executions: 4, paused: true, nextFireAt: 9, updatedAt: 7 })
      store.applyBatch([{ op: 'putJobState', job: state }])
      expect(store.getJob('a')).toEqual(
        asStored(sampleJob('a', { executions: 4, paused: true, nextFireAt: 9, updatedAt: 7 })),
      )
      expect(store.loadJobs().map((j) => [j.id, j.paused])).toEqual([
        ['a', true],
        ['b', true],
      ])
      store.applyBatch([{ op: 'deleteJob', jobId: 'b' }])
      expect(store.getJob('b')).toBeNull()
    })

    it('applies the ops of one batch in order: the last write of a run or job wins, a delete removes', () => {
      const { store } = fresh()
      const state = (over: Partial<JobRecord>) => {
        const { specJson: _s, taskType: _t, createdAt: _c, ...rest } = sampleJob('a', over)
        return rest
      }
      store.applyBatch([
        { op: 'putJob', job: sampleJob('a') },
        { op: 'putJobState', job: state({ executions: 1 }) },
        { op: 'putJobState', job: state({ executions: 2 }) },
        { op: 'putRun', run: sampleRun(1, 'a') },
        { op: 'putRun', run: sampleRun(1, 'a', { status: 'running', startedAt: 3 }) },
        { op: 'putRun', run: sampleRun(1, 'a', { status: 'succeeded', startedAt: 3, endedAt: 4 }) },
        { op: 'putJob', job: sampleJob('b') },
        { op: 'putJobState', job: { ...state({ executions: 5 }), id: 'b' } },
        { op: 'putJob', job: sampleJob('b', { executions: 9 }) },
        { op: 'putJob', job: sampleJob('c') },
        { op: 'putJobState', job: { ...state({ executions: 7 }), id: 'c' } },
        { op: 'deleteJob', jobId: 'c' },
      ])
      expect(store.getJob('a')?.executions).toBe(2)
      expect(store.getRun(1)).toMatchObject({ status: 'succeeded', startedAt: 3, endedAt: 4 })
      expect(store.getJob('b')?.executions).toBe(9)
      expect(store.getJob('c')).toBeNull()
    })

    it("lists the schedule runs above each job row's marker in id order, if it derives fire state", () => {
      const { store } = fresh()
      // A store that does not declare it must not half-offer it: the scheduler would stop writing job state.
      if (!features.derivesJobState)
        return expect(store.loadUnreflectedFires ?? store.loadUnreflectedOutcomes).toBeUndefined()
      if (!store.loadUnreflectedFires) throw new Error('this store was declared to derive job state')
      const { specJson: _s, taskType: _t, createdAt: _c, ...state } = sampleJob('a', { stateRunId: 2 })
      store.applyBatch([
        { op: 'putJob', job: sampleJob('a') },
        { op: 'putJob', job: sampleJob('b', { stateRunId: 4 }) },
        { op: 'putRun', run: sampleRun(1, 'a') },
        { op: 'putRun', run: sampleRun(2, 'a', { status: 'missed', scheduledFor: 900 }) },
        { op: 'putRun', run: sampleRun(3, 'a', { status: 'running' }) },
        { op: 'putRun', run: sampleRun(4, 'b') },
        { op: 'putRun', run: sampleRun(5, 'b', { origin: 'manual' }) },
        { op: 'putRun', run: sampleRun(6, 'b', { status: 'skipped' }) },
        { op: 'putJobState', job: state },
      ])
      expect(store.getJob('a')?.stateRunId).toBe(2)
      expect(store.loadUnreflectedFires()).toEqual([
        { jobId: 'a', runId: 3, status: 'running', scheduledFor: 1_000 },
        { jobId: 'b', runId: 6, status: 'skipped', scheduledFor: 1_000 },
      ])
    })

    it("lists finished runs above each job row's outcome number in completion order, and keeps them from pruning", () => {
      if (!features.derivesJobState) return
      const { store } = fresh()
      if (!store.loadUnreflectedOutcomes) throw new Error('this store was declared to derive job state')
      const done = (id: number, jobId: string, status: RunRecord['status'], outcomeSeq: number) => ({
        op: 'putRun' as const,
        run: sampleRun(id, jobId, { status, endedAt: 2_000, outcomeSeq }),
      })
      const { specJson: _s, taskType: _t, createdAt: _c, ...state } = sampleJob('a', { stateRunId: 3, outcomeSeq: 2 })
      store.applyBatch([
        { op: 'putJob', job: sampleJob('a') },
        { op: 'putJob', job: sampleJob('b') },
        // Run 3 finished before run 2: numbers follow completion, not ids.
        done(1, 'a', 'succeeded', 1),
        done(2, 'a', 'failed', 3),
        done(3, 'a', 'succeeded', 2),
        done(4, 'b', 'cancelled', 4),
        { op: 'putRun', run: sampleRun(5, 'b', { status: 'running' }) },
        done(6, 'gone', 'failed', 5),
        { op: 'putJobState', job: state },
      ])
      expect(store.loadUnreflectedOutcomes(0)).toEqual({
        outcomes: [
          { jobId: 'a', status: 'failed', seq: 3 },
          { jobId: 'b', status: 'cancelled', seq: 4 },
        ],
        maxSeq: 5,
      })
      expect(store.loadUnreflectedOutcomes(3).outcomes).toEqual([{ jobId: 'b', status: 'cancelled', seq: 4 }])
      // Only runs their job row holds (or whose job is gone) are pruned: the others are the only record of it.
      expect(store.pruneRuns({ keepPerJob: 0 })).toBe(3)
      expect(store.listRuns({}).runs.map((r) => r.id)).toEqual([5, 4, 2])
    })

    it('applies a batch atomically: a failing op leaves nothing behind', () => {
      const { store } = fresh()
      const bad = { ...sampleJob('x'), specJson: null as unknown as string }
      expect(() =>
        store.applyBatch([
          { op: 'putJob', job: sampleJob('ok') },
          { op: 'putJob', job: bad },
        ]),
      ).toThrow()
      expect(store.getJob('ok')).toBeNull()
    })

    it('stores runs, attempts and finds unfinished ones', () => {
      const { store } = fresh()
      store.applyBatch([
        { op: 'putRun', run: sampleRun(1, 'a', { status: 'running', attempt: 2, startedAt: 5 }) },
        { op: 'putRun', run: sampleRun(2, 'a', { status: 'succeeded', resultJson: '{"x":1}', endedAt: 9 }) },
        { op: 'putRun', run: sampleRun(3, 'b', { status: 'interrupted', recovery: 'pending' }) },
        { op: 'putRun', run: sampleRun(4, 'b', { status: 'interrupted', recovery: 'rerun' }) },
        { op: 'putAttempt', attempt: { runId: 1, attempt: 1, startedAt: 1, endedAt: 2, error: 'boom' } },
      ])
      store.applyBatch([
        { op: 'putRun', run: sampleRun(1, 'a', { status: 'retrying', attempt: 2, gateAction: 'run' }) },
      ])
      expect(store.getRun(1)).toMatchObject({ status: 'retrying', gateAction: 'run', attempt: 2 })
      expect(store.getRun(2)?.resultJson).toBe('{"x":1}')
      expect(store.loadUnfinishedRuns().map((r) => r.id)).toEqual([1, 3])
      expect(store.listAttempts(1)).toEqual([{ runId: 1, attempt: 1, startedAt: 1, endedAt: 2, error: 'boom' }])
      expect(store.maxRunId()).toBe(4)
    })

    it('loads every unfinished run, whatever run id a finishedBelow proposal names', () => {
      const { store } = fresh()
      const unfinished = () => store.loadUnfinishedRuns().map((r) => r.id)
      store.applyBatch([
        ...[1, 2, 3].map((id) => ({ op: 'putRun' as const, run: sampleRun(id, 'a', { status: 'succeeded' }) })),
        { op: 'putRun', run: sampleRun(4, 'a', { status: 'running' }) },
        { op: 'putRun', run: sampleRun(5, 'a', { status: 'failed' }) },
        { op: 'putRun', run: sampleRun(6, 'b', { status: 'held' }) },
      ])
      store.applyBatch([{ op: 'finishedBelow', runId: 7 }])
      expect(unfinished()).toEqual([4, 6])
      // Ops apply in order: a proposal sees the runs its batch wrote before it.
      store.applyBatch([
        { op: 'putRun', run: sampleRun(4, 'a', { status: 'succeeded' }) },
        { op: 'finishedBelow', runId: 7 },
      ])
      expect(unfinished()).toEqual([6])
      store.applyBatch([
        { op: 'putRun', run: sampleRun(8, 'a', { status: 'interrupted', recovery: 'pending' }) },
        { op: 'finishedBelow', runId: 100 },
      ])
      expect(unfinished()).toEqual([6, 8])
      store.applyBatch([
        { op: 'putRun', run: sampleRun(6, 'b', { status: 'cancelled' }) },
        { op: 'putRun', run: sampleRun(8, 'a', { status: 'interrupted', recovery: 'rerun' }) },
        { op: 'finishedBelow', runId: 9 },
      ])
      store.applyBatch([
        { op: 'putRun', run: sampleRun(9, 'a', { status: 'pending' }) },
        { op: 'finishedBelow', runId: 5 },
      ])
      expect(unfinished()).toEqual([9])
    })

    it('pages run history newest first with filters', () => {
      const { store } = fresh()
      const ops = []
      for (let i = 1; i <= 25; i++) {
        ops.push({
          op: 'putRun' as const,
          run: sampleRun(i, i % 2 ? 'odd' : 'even', { status: i % 5 ? 'succeeded' : 'failed' }),
        })
      }
      store.applyBatch(ops)
      const p1 = store.listRuns({ jobId: 'odd', limit: 5 })
      expect(p1.runs.map((r) => r.id)).toEqual([25, 23, 21, 19, 17])
      const p2 = store.listRuns({ jobId: 'odd', limit: 5, cursor: p1.nextCursor ?? undefined })
      expect(p2.runs.map((r) => r.id)).toEqual([15, 13, 11, 9, 7])
      const all = store.listRuns({ jobId: 'odd', limit: 100 })
      expect(all.runs).toHaveLength(13)
      expect(all.nextCursor).toBeNull()
      expect(store.listRuns({ status: 'failed' }).runs.map((r) => r.id)).toEqual([25, 20, 15, 10, 5])
    })

    it('prunes finished history by age and by count, never active runs', () => {
      const { store } = fresh()
      const ops = []
      for (let i = 1; i <= 10; i++)
        ops.push({ op: 'putRun' as const, run: sampleRun(i, 'j', { status: 'succeeded', endedAt: i * 100 }) })
      ops.push({ op: 'putRun' as const, run: sampleRun(11, 'j', { status: 'pending', createdAt: 1 }) })
      ops.push({ op: 'putAttempt' as const, attempt: { runId: 2, attempt: 1, startedAt: 1, endedAt: 2, error: 'e' } })
      store.applyBatch(ops)
      expect(store.pruneRuns({ endedBeforeMs: 350 })).toBe(3)
      expect(store.listAttempts(2)).toEqual([])
      expect(store.pruneRuns({ keepPerJob: 4 })).toBe(4)
      expect(store.listRuns({ limit: 100 }).runs.map((r) => r.id)).toEqual([11, 10, 9, 8])
    })

    it('keeps key/value state and survives a reopen', () => {
      const made = fresh()
      made.store.applyBatch([
        { op: 'setState', key: 'paused', value: '1' },
        { op: 'putJob', job: sampleJob('keep') },
      ])
      made.store.applyBatch([{ op: 'setState', key: 'paused', value: '0' }])
      expect(made.store.getState('paused')).toBe('0')
      expect(made.store.getState('nope')).toBeNull()
      if (made.reopen) {
        made.store.close()
        const again = made.reopen()
        opened.push(again)
        expect(again.getState('paused')).toBe('0')
        expect(again.getJob('keep')?.id).toBe('keep')
      }
    })
  })
}
