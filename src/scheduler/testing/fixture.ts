// Test fixture: a scheduler on a real SQLite file with real migrations, a test clock, and an event log.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteSchedulerStore } from '../../store/sqlite-scheduler-store.ts'
import { createScheduler, type Scheduler } from '../scheduler.ts'
import type { SchedulerEvents, SchedulerOptions } from '../scheduler-types.ts'
import type { SchedulerStore } from '../store/store-port.ts'
import { createTestClock, type TestClock } from '../time/test-clock.ts'

/** The trigger input for "every `ms` milliseconds" (one place to adapt to the trigger module's spec). */
export function every(ms: number, startMs?: number): unknown {
  if (ms % 1000 !== 0) throw new Error('every() takes whole seconds in ms')
  const spec = { type: 'interval', every: ms / 1000, unit: 's' }
  return startMs === undefined ? spec : { ...spec, start: startMs }
}

/** A recorded event. */
export interface Recorded {
  name: keyof SchedulerEvents
  payload: SchedulerEvents[keyof SchedulerEvents]
}

/** A scheduler under test with its clock, store file and recorded events. */
export interface Fixture {
  sched: Scheduler
  clock: TestClock
  store: SchedulerStore
  path: string
  events: Recorded[]
  /** Events of one kind, in order. */
  of<K extends keyof SchedulerEvents>(name: K): SchedulerEvents[K][]
  /** Simulates a restart on the same file and clock (the old instance is abandoned, as after a crash). */
  reopen(extra?: Partial<SchedulerOptions>): Fixture
}

const NAMES: (keyof SchedulerEvents)[] = [
  'scheduled',
  'started',
  'succeeded',
  'failed',
  'retrying',
  'cancelled',
  'missed',
  'delayed',
  'held',
  'skipped',
  'interrupted',
  'needs_attention',
  'escalated',
]

/** Builds a fixture; `path` and `clock` let a test reopen the same state. */
export function makeFixture(
  extra: Partial<SchedulerOptions> = {},
  reuse?: { path: string; clock: TestClock },
): Fixture {
  const path = reuse?.path ?? join(mkdtempSync(join(tmpdir(), 'sched-')), 'state.db')
  const clock = reuse?.clock ?? createTestClock()
  // Commits stay on this thread: a test clock settles this thread's work, it cannot wait for a writer thread.
  const store = createSqliteSchedulerStore({ path, writerThread: false })
  const sched = createScheduler({ store, clock, maxConcurrentJobs: 4, random: () => 0.5, ...extra })
  const events: Recorded[] = []
  for (const n of NAMES) sched.on(n, (p) => events.push({ name: n, payload: p }))
  return {
    sched,
    clock,
    store,
    path,
    events,
    of: <K extends keyof SchedulerEvents>(name: K) =>
      events.filter((e) => e.name === name).map((e) => e.payload as SchedulerEvents[K]),
    reopen: (more = {}) => makeFixture({ ...extra, ...more }, { path, clock }),
  }
}

/** A promise with its resolve/reject exposed, for handlers the test finishes by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
