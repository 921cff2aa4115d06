// Builds the scheduler's shared state (Ctx) from its options: defaults, clock, timer, write buffer, loop.
import { EventEmitter } from 'node:events'
import pino from 'pino'
import { createClusterState } from './cluster/cluster-types.ts'
import { groupOf } from './cluster/cluster-groups.ts'
import { onFire } from './jobs/jobs.ts'
import { specToJson, type JobSpec } from './jobs/job-spec.ts'
import { createDispatchLoop, type DispatchLoop } from './runs/dispatch-loop.ts'
import { createResourcePools } from './runs/resource-pools.ts'
import { runIdSource, type Ctx, type RunState } from './scheduler-state.ts'
import type { SchedulerOptions } from './scheduler-types.ts'
import { PRIORITIES } from './store/store-port.ts'
import { createRealClock } from './time/clock.ts'
import { createTimeline } from './time/timeline.ts'
import { createWriteBuffer } from './store/write-buffer.ts'

/** Creates the state every scheduler part shares, and the loop that dispatches over it. Reads nothing stored
 *  but the global pause and (where fires are derived) the highest run id. */
export function createContext(options: SchedulerOptions): { ctx: Ctx; loop: DispatchLoop } {
  const clock = options.clock ?? createRealClock()
  const store = options.store
  const deferJobRows = !options.cluster && !!store.loadUnreflectedFires && !!store.loadUnreflectedOutcomes
  const loop = createDispatchLoop(() => ctx)
  const ctx: Ctx = {
    opts: {
      maxConcurrentJobs: 4,
      defaultMaxRetries: 0,
      defaultRetryDelay: 1_000,
      maxRetryDelay: 300_000,
      defaultMisfireGraceTime: 60_000,
      holdRecheckMs: 60_000,
      shutdownGraceMs: 30_000,
      ...stripUndefined(options),
      store,
    },
    clock,
    log: options.logger ?? pino({ level: 'silent' }),
    timeline: createTimeline(clock, () => loop.afterTimer()),
    // In a cluster each write names its job's group, for the store's lease fence.
    writes: createWriteBuffer(store, {
      specJson: (spec) => specToJson(spec as JobSpec),
      onIdle: () => loop.kick(),
      groupOf: options.cluster ? (jobId) => groupOf(ctx, jobId) : undefined,
    }),
    pools: createResourcePools(options.resourcePools),
    emitter: new EventEmitter(),
    tasks: new Map(),
    jobs: new Map(),
    pending: PRIORITIES.map(() => new Set<RunState>()),
    held: new Set(),
    runs: new Map(),
    outcomeWatchers: new Map(),
    nextRunId: runIdSource(store),
    executing: 0,
    globalPaused: store.getState('paused') === '1',
    live: false,
    stopping: false,
    storeBroken: false,
    holdRecheck: null,
    kickScheduled: false,
    kick: loop.kick,
    timersOn: false,
    fire: (job) => onFire(ctx, job),
    cluster: options.cluster ? createClusterState(options.cluster) : undefined,
    // New jobs' rows are marked with the highest run id only where fires are derived (no query otherwise).
    deferJobRows,
    lastRunId: deferJobRows ? store.maxRunId() : 0,
    recoveryFloor: Infinity,
    behind: new Set(),
    rowCheckpoint: null,
    outcomeSeq: 0,
  }
  ctx.emitter.setMaxListeners(100)
  return { ctx, loop }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
