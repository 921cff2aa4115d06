// The durable central scheduler: wires the shared state, the control API, recovery, --once and shutdown.
import { recheckHeld } from './runs/dispatch.ts'
import { SchedulerError } from './errors.ts'
import { explainJob } from './jobs/explain.ts'
import {
  cancelRun,
  disableJob,
  enableJob,
  fireEvent,
  jobOf,
  registerTask,
  removeJob,
  runNow,
  setDependencies,
  setPaused,
  setPriority,
} from './jobs/job-controls.ts'
import { addOne, view } from './jobs/jobs.ts'
import { armAtStart, runEveryJobOnce, stopScheduler } from './lifecycle.ts'
import { loadState } from './jobs/load-state.ts'
import { recoverInterrupted } from './runs/recovery.ts'
import { pruneHistory, startRetention } from './runs/retention.ts'
import { fireOutcomeEvents } from './jobs/event-fire.ts'
import type { RunState } from './scheduler-state.ts'
import { createContext } from './scheduler-context.ts'
import { healthOf } from './scheduler-health.ts'
import { applyControl, startHeartbeat } from './cluster/cluster.ts'
import type { SchedulerOptions } from './scheduler-types.ts'
import type { Scheduler } from './scheduler-api.ts'

export type { IfExists } from './jobs/jobs.ts'
export type { Scheduler } from './scheduler-api.ts'

/** Creates the scheduler over a store; reads the stored jobs and unfinished runs at once (synchronously). */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { ctx, loop } = createContext(options)
  const store = ctx.opts.store
  let started = false
  let stopped = false
  let batchDepth = 0
  let interrupted: RunState[] = loadState(ctx, store)
  let recovered: Promise<void> | null = null
  let retentionTimer: { cancel(): void } | null = null
  let heartbeatTimer: { cancel(): void } | null = null
  /** Runs a mutating call; its changes are committed before the outermost call returns. */
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
  function recoverOnce(): Promise<void> {
    if (!recovered) {
      const list = interrupted
      interrupted = []
      recovered = recoverInterrupted(ctx, list).then(() => loop.flushQuietly())
    }
    return recovered
  }

  const api: Scheduler = {
    registerTask: (def) => registerTask(ctx, def),
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
    removeJob: (jobId) => durable(() => removeJob(ctx, jobId)),
    runNow: (jobId, argsOverride) => durable(() => runNow(ctx, jobId, argsOverride)),
    fireEvent: (jobId, detail) => durable(() => fireEvent(ctx, jobId, detail)),
    cancelRun: (runId, reason = 'cancelled by operator') => durable(() => cancelRun(ctx, runId, reason)),
    pause: (jobId) => durable(() => setPaused(ctx, jobId, true)),
    resume: (jobId) => durable(() => setPaused(ctx, jobId, false)),
    enable: (jobId) => durable(() => enableJob(ctx, jobId)),
    disable: (jobId) => durable(() => disableJob(ctx, jobId)),
    setPriority: (jobId, priority) => durable(() => setPriority(ctx, jobId, priority)),
    setDependencies: (jobId, dependencies) => durable(() => setDependencies(ctx, jobId, dependencies)),
    definePool: (name, capacity) => {
      ctx.pools.define(name, capacity)
      ctx.kick()
    },
    getJob: (jobId) => {
      const j = ctx.jobs.get(jobId)
      return j ? view(j) : null
    },
    listJobs: () => [...ctx.jobs.values()].map(view),
    getRun(runId) {
      const live = ctx.runs.get(Number(runId))
      if (live) return { ...live.rec }
      if (!stopped) loop.flushQuietly()
      return store.getRun(Number(runId))
    },
    listRuns(query = {}) {
      loop.flushQuietly()
      return store.listRuns(query)
    },
    listAttempts(runId) {
      loop.flushQuietly()
      return store.listAttempts(Number(runId))
    },
    explain: (jobId) => explainJob(ctx, jobOf(ctx, jobId)),
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
      armAtStart(ctx)
      retentionTimer = startRetention(ctx, () => api.pruneHistory())
      ctx.kick()
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
    pruneHistory: () => pruneHistory(ctx, loop.flushQuietly),
    nextWakeAt: () => ctx.timeline.nextAt(),
    health: () => healthOf(ctx, started && !stopped && !ctx.stopping, loop.lastLoopAt()),
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
