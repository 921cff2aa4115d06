// The durable central scheduler: jobs, fires on one timer, dispatch, control API, recovery, --once, shutdown.
import { EventEmitter } from 'node:events'
import pino from 'pino'
import { createRealClock } from './time/clock.ts'
import { dispatch, recheckHeld } from './runs/dispatch.ts'
import { cancelRunState } from './runs/run-start.ts'
import { DependencyError, SchedulerError, TaskSchedulingError } from './errors.ts'
import { fireEventJob, fireOutcomeEvents } from './jobs/event-fire.ts'
import { explainJob } from './jobs/explain.ts'
import { specToJson, type JobSpec } from './jobs/job-spec.ts'
import { addOne, armFire, checkArgs, checkDeps, onFire, updateSpec, view } from './jobs/jobs.ts'
import { exhausted } from './jobs/job-limits.ts'
import { runEveryJobOnce, stopScheduler } from './lifecycle.ts'
import { armRowCheckpoint } from './jobs/job-rows.ts'
import { loadState } from './jobs/load-state.ts'
import { recoverInterrupted } from './runs/recovery.ts'
import { createResourcePools } from './runs/resource-pools.ts'
import {
  enqueue,
  newRun,
  rankOf,
  runIdSource,
  saveJob,
  type Ctx,
  type JobState,
  type RunState,
} from './scheduler-state.ts'
import { applyControl, handOffRun, publishControl, startHeartbeat } from './cluster/cluster.ts'
import { createClusterState } from './cluster/cluster-types.ts'
import { groupOf, ownsJob } from './cluster/cluster-groups.ts'
import type { SchedulerOptions } from './scheduler-types.ts'
import { PRIORITIES } from './store/store-port.ts'
import { createTimeline } from './time/timeline.ts'
import { createWriteBuffer } from './store/write-buffer.ts'
import type { Scheduler } from './scheduler-api.ts'

export type { IfExists } from './jobs/jobs.ts'
export type { Scheduler } from './scheduler-api.ts'

/** Creates the scheduler over a store; reads the stored jobs and unfinished runs at once (synchronously). */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? createRealClock()
  const store = options.store
  const deferJobRows = !options.cluster && !!store.loadUnreflectedFires && !!store.loadUnreflectedOutcomes
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
    timeline: createTimeline(clock, () => afterTimer()),
    // In a cluster each write names its job's group, for the store's lease fence.
    writes: createWriteBuffer(store, {
      specJson: (spec) => specToJson(spec as JobSpec),
      onIdle: () => kick(),
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
    kick,
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
  let started = false
  let stopped = false
  let batchDepth = 0
  let interrupted: RunState[] = loadState(ctx, store)
  let recovered: Promise<void> | null = null
  let retentionTimer: { cancel(): void } | null = null
  let heartbeatTimer: { cancel(): void } | null = null
  let pendingLoop: NodeJS.Immediate | null = null
  let lastLoopAt: number | null = null
  function loop() {
    lastLoopAt = clock.now()
    pendingLoop = null
    ctx.kickScheduled = false
    dispatch(ctx)
    commitQuietly()
  }
  function kick() {
    if (ctx.kickScheduled) return
    ctx.kickScheduled = true
    pendingLoop = setImmediate(loop)
  }
  /** After the timer fired its due entries, dispatch at once rather than one event-loop turn later (lag). */
  function afterTimer() {
    if (!pendingLoop) return
    clearImmediate(pendingLoop)
    loop()
  }
  /**
   * Hands this turn's changes to the store; a batch committing on the writer thread does not hold the loop. While
   * one is, changes that start nothing (completions) wait and go with the next batch, so the starts queued
   * behind are not held up by them; the loop runs again when the thread is idle.
   */
  function commitQuietly() {
    if (ctx.writes.committing) return
    try {
      ctx.writes
        .commit()
        ?.catch((err: unknown) => ctx.log.error({ err }, 'scheduler store write failed; will retry on the next tick'))
    } catch (err) {
      ctx.log.error({ err }, 'scheduler store write failed; will retry on the next tick')
    }
  }
  function flushQuietly() {
    try {
      ctx.writes.flush()
    } catch (err) {
      ctx.log.error({ err }, 'scheduler store write failed; will retry on the next tick')
    }
  }
  function durable<T>(fn: () => T): T {
    alive()
    batchDepth++
    try {
      return fn()
    } finally {
      batchDepth--
      if (batchDepth === 0) ctx.writes.flush()
    }
  }
  function alive() {
    if (stopped || ctx.stopping)
      throw new SchedulerError('SCHEDULER_STOPPED', 'the scheduler is stopped', { hint: 'create a new scheduler' })
  }
  function notView() {
    if (options.view)
      throw new SchedulerError('SCHEDULER_VIEW', 'a state view never runs jobs', {
        hint: 'run them with `bot run` or `bot --once`',
      })
  }
  function jobOf(jobId: string): JobState {
    const j = ctx.jobs.get(jobId)
    if (!j)
      throw new TaskSchedulingError('JOB_UNKNOWN', `no job with id "${jobId}"`, {
        hint: 'check the id with listJobs()',
      })
    return j
  }
  function recoverOnce(): Promise<void> {
    if (!recovered) {
      const list = interrupted
      interrupted = []
      recovered = recoverInterrupted(ctx, list).then(() => flushQuietly())
    }
    return recovered
  }

  const api: Scheduler = {
    registerTask(def) {
      if (!def || typeof def.type !== 'string' || !def.type || typeof def.handler !== 'function') {
        throw new TaskSchedulingError('TASK_INVALID', 'a task needs a non-empty type and a handler function')
      }
      if (ctx.tasks.has(def.type)) {
        throw new TaskSchedulingError('TASK_DUPLICATE', `task type "${def.type}" is already registered`, {
          hint: 'register each task type once',
        })
      }
      ctx.tasks.set(def.type, def)
      kick()
    },
    addJob: (spec, o) => durable(() => addOne(ctx, spec, o?.ifExists ?? 'error')!),
    addJobs: (specs, o) =>
      durable(() =>
        specs.map((s) => {
          addOne(ctx, s, o?.ifExists ?? 'error', false)
          // Large plans are written in chunks, on the store's writer thread while the next chunk is validated
          // (bounded memory). The closing flush waits for every chunk and throws if one failed (its changes are
          // queued again), so addJobs still returns only once all of them are durable.
          if (ctx.writes.size >= 1_000) void ctx.writes.commit()?.catch(() => undefined)
          return s.id
        }),
      ),
    removeJob: (jobId) =>
      durable(() => {
        const job = jobOf(jobId)
        const dependents = [...ctx.jobs.values()]
          .filter((j) => j.spec.dependencies.includes(jobId))
          .map((j) => j.rec.id)
        if (dependents.length) {
          throw new DependencyError(
            'DEPENDENCY_IN_USE',
            `job "${jobId}" cannot be removed: ${dependents.join(', ')} depend on it`,
            {
              hint: 'remove or change those dependencies first',
            },
          )
        }
        for (const run of [...job.active]) cancelRunState(ctx, run, 'job removed')
        job.fire?.cancel()
        ctx.jobs.delete(jobId)
        if (ctx.cluster) ctx.cluster.dirty = true
        if (job.persistent) ctx.writes.deleteJob(jobId)
      }),
    runNow: (jobId, argsOverride) =>
      durable(() => {
        const job = jobOf(jobId)
        if (!job.rec.enabled) {
          throw new TaskSchedulingError('JOB_DISABLED', `job "${jobId}" is disabled`, {
            hint: 'enable it before runNow',
          })
        }
        const task = job.inlineTask ?? ctx.tasks.get(job.rec.taskType)
        if (argsOverride !== undefined && task) checkArgs(task, jobId, argsOverride)
        const run = newRun(ctx, job, 'manual', 'pending', {
          scheduledFor: clock.now(),
          argsJson: argsOverride === undefined ? null : JSON.stringify(argsOverride),
        })
        if (!ownsJob(ctx, job)) handOffRun(ctx, run)
        else enqueue(ctx, run)
        kick()
        return String(run.rec.id)
      }),
    fireEvent: (jobId, detail) =>
      durable(() => {
        const job = jobOf(jobId)
        if (job.schedule.kind !== 'event') {
          throw new TaskSchedulingError(
            'JOB_NOT_EVENT',
            `job "${jobId}" has a ${job.schedule.kind} trigger, not an event trigger`,
            { hint: 'use runNow for other jobs' },
          )
        }
        return fireEventJob(ctx, job, detail)
      }),
    cancelRun: (runId, reason = 'cancelled by operator') =>
      durable(() => {
        const run = ctx.runs.get(Number(runId))
        return run ? cancelRunState(ctx, run, reason) : false
      }),
    pause: (jobId) =>
      durable(() => {
        if (jobId === undefined) {
          ctx.globalPaused = true
          ctx.writes.state('paused', '1')
        } else {
          jobOf(jobId).rec.paused = true
          saveJob(ctx, jobOf(jobId))
        }
        publishControl(ctx, { jobId: jobId ?? null, action: 'pause' })
      }),
    resume: (jobId) =>
      durable(() => {
        if (jobId === undefined) {
          ctx.globalPaused = false
          ctx.writes.state('paused', '0')
        } else {
          jobOf(jobId).rec.paused = false
          saveJob(ctx, jobOf(jobId))
        }
        publishControl(ctx, { jobId: jobId ?? null, action: 'resume' })
        kick()
      }),
    enable: (jobId) =>
      durable(() => {
        const job = jobOf(jobId)
        if (job.rec.enabled) return
        job.rec.enabled = true
        job.spec.enabled = true
        job.rec.nextFireAt = exhausted(job) ? null : job.schedule.nextAfter(clock.now())
        updateSpec(ctx, job, {})
        armFire(ctx, job)
        publishControl(ctx, { jobId, action: 'enable' })
        kick()
      }),
    disable: (jobId) =>
      durable(() => {
        const job = jobOf(jobId)
        job.rec.enabled = false
        job.rec.nextFireAt = null
        updateSpec(ctx, job, { enabled: false })
        armFire(ctx, job)
        for (const run of [...job.active]) {
          if (run.rec.status === 'pending' || run.rec.status === 'delayed' || run.rec.status === 'held') {
            cancelRunState(ctx, run, 'job disabled')
          }
        }
        publishControl(ctx, { jobId, action: 'disable' })
        kick()
      }),
    setPriority: (jobId, priority) =>
      durable(() => {
        if (!PRIORITIES.includes(priority)) {
          throw new TaskSchedulingError('PRIORITY_INVALID', `unknown priority "${priority}"`, {
            hint: `use one of ${PRIORITIES.join(', ')}`,
          })
        }
        const job = jobOf(jobId)
        job.rec.priority = priority
        updateSpec(ctx, job, { priority })
        for (const run of job.active) {
          if (ctx.pending[run.rank]!.delete(run)) ctx.pending[rankOf(priority)]!.add(run)
          run.rank = rankOf(priority)
        }
        publishControl(ctx, { jobId, action: 'priority', value: priority })
        kick()
      }),
    setDependencies: (jobId, dependencies) =>
      durable(() => {
        const job = jobOf(jobId)
        const deps = [...new Set(dependencies)]
        checkDeps(ctx, jobId, deps)
        updateSpec(ctx, job, { dependencies: deps })
        if (ctx.cluster) ctx.cluster.dirty = true
        kick()
      }),
    definePool: (name, capacity) => {
      ctx.pools.define(name, capacity)
      kick()
    },
    getJob: (jobId) => {
      const j = ctx.jobs.get(jobId)
      return j ? view(j) : null
    },
    listJobs: () => [...ctx.jobs.values()].map(view),
    getRun(runId) {
      const live = ctx.runs.get(Number(runId))
      if (live) return { ...live.rec }
      if (!stopped) flushQuietly()
      return store.getRun(Number(runId))
    },
    listRuns(query = {}) {
      flushQuietly()
      return store.listRuns(query)
    },
    listAttempts(runId) {
      flushQuietly()
      return store.listAttempts(Number(runId))
    },
    explain: (jobId) => explainJob(ctx, jobOf(jobId)),
    persisted() {
      try {
        return ctx.writes.commit() ?? ctx.writes.persisted()
      } catch (err) {
        return Promise.reject(err)
      }
    },
    async start() {
      alive()
      notView()
      if (started) return
      started = true
      ctx.live = true
      ctx.timersOn = true
      if (ctx.cluster) heartbeatTimer = startHeartbeat(ctx, durable, (c) => applyControl(api, c))
      const now = clock.now()
      for (const job of ctx.jobs.values()) {
        if (
          job.rec.enabled &&
          job.rec.nextFireAt === null &&
          !exhausted(job) &&
          job.schedule.kind !== 'manual' &&
          job.rec.lastFireAt === null
        ) {
          job.rec.nextFireAt = job.schedule.nextAfter(now)
          saveJob(ctx, job)
        }
        armFire(ctx, job)
      }
      if (ctx.held.size) recheckHeld(ctx, false)
      armRowCheckpoint(ctx)
      const r = options.retention
      if (r && (r.maxAgeMs !== undefined || r.keepPerJob !== undefined)) {
        api.pruneHistory()
        const every = r.intervalMs ?? 3_600_000
        const loop = () => {
          retentionTimer = ctx.timeline.at(clock.now() + every, () => {
            if (!ctx.stopping) {
              api.pruneHistory()
              loop()
            }
          })
        }
        loop()
      }
      kick()
      await recoverOnce()
    },
    async runOnce() {
      alive()
      notView()
      const wasLive = ctx.live
      ctx.live = true
      void recoverOnce()
      const summary = await runEveryJobOnce(ctx, durable)
      if (!wasLive && !started) ctx.live = false
      return summary
    },
    async stop(o = {}) {
      if (stopped || ctx.stopping) return
      retentionTimer?.cancel()
      heartbeatTimer?.cancel()
      await stopScheduler(ctx, o.graceMs ?? ctx.opts.shutdownGraceMs, recovered)
      stopped = true
    },
    recheckGate: () => recheckHeld(ctx, true),
    pruneHistory() {
      const r = options.retention ?? {}
      flushQuietly()
      return store.pruneRuns({
        endedBeforeMs: r.maxAgeMs !== undefined ? clock.now() - r.maxAgeMs : undefined,
        keepPerJob: r.keepPerJob,
      })
    },
    nextWakeAt: () => ctx.timeline.nextAt(),
    health() {
      const now = clock.now()
      let overdueMs = 0
      if (ctx.live && !ctx.globalPaused) {
        for (const j of ctx.jobs.values()) {
          const at = j.rec.nextFireAt
          if (at !== null && at < now && j.rec.enabled && !j.rec.paused) overdueMs = Math.max(overdueMs, now - at)
        }
      }
      return {
        running: started && !stopped && !ctx.stopping,
        paused: ctx.globalPaused,
        storeOk: !ctx.storeBroken,
        lastLoopAt,
        overdueMs,
      }
    },
    on(event, fn) {
      ctx.emitter.on(event, fn as (p: unknown) => void)
      return () => void ctx.emitter.off(event, fn as (p: unknown) => void)
    },
    once(event, fn) {
      ctx.emitter.once(event, fn as (p: unknown) => void)
      return () => void ctx.emitter.off(event, fn as (p: unknown) => void)
    },
  }
  // Jobs triggered by another job's outcome: the core handles that event kind itself (a direct call, not an
  // event listener: a listener would make every finished run build its event payload).
  ctx.onOutcome = (jobId, status) => fireOutcomeEvents(ctx, jobId, status)
  return api
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
