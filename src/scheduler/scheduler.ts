// The durable central scheduler: jobs, fires on one timer, dispatch, control API, recovery, --once, shutdown.
import { EventEmitter } from 'node:events'
import pino from 'pino'
import { createRealClock } from './clock.ts'
import { findCycleThrough, topologicalOrder } from './dag.ts'
import { cancelRunState, dispatch, recheckHeld } from './dispatch.ts'
import { DependencyError, SchedulerError, TaskSchedulingError } from './errors.ts'
import { explainJob } from './explain.ts'
import { parseJobSpec, type JobSpec, type JobSpecInput } from './job-spec.ts'
import { coalesceMissed } from './triggers/coalesce.ts'
import { recoverInterrupted } from './recovery.ts'
import { createResourcePools } from './resource-pools.ts'
import {
  adoptRun, emit, enqueue, newRun, NO_RUNS, rankOf, saveJob, type Ctx, type JobState, type RunState,
} from './scheduler-state.ts'
import type {
  Explanation, JobView, OnceSummary, RunView, SchedulerEvents, SchedulerOptions,
} from './scheduler-types.ts'
import { PRIORITIES, type AttemptRecord, type JobRecord, type ListRunsQuery, type Priority } from './store-port.ts'
import type { TaskDefinition } from './task-contract.ts'
import { createTimeline } from './timeline.ts'
import { compileJobTrigger, compileShared } from './trigger-bridge.ts'
import { createWriteBuffer } from './write-buffer.ts'

/** What addJob does when a job with the same id exists: throw (default), replace its spec, or keep it. */
export type IfExists = 'error' | 'replace' | 'keep'

/** The scheduler's public API. */
export interface Scheduler {
  registerTask(def: TaskDefinition): void
  /** Validates and adds a job; persisted before it returns (taskType jobs; inline-handler jobs live in memory). */
  addJob(spec: JobSpecInput, options?: { ifExists?: IfExists }): JobView
  /** Adds many jobs, written in chunked transactions; all are durable when it returns. */
  addJobs(specs: JobSpecInput[], options?: { ifExists?: IfExists }): string[]
  removeJob(jobId: string): void
  runNow(jobId: string, argsOverride?: unknown): string
  cancelRun(runId: string): boolean
  pause(jobId?: string): void
  resume(jobId?: string): void
  enable(jobId: string): void
  disable(jobId: string): void
  setPriority(jobId: string, priority: Priority): void
  setDependencies(jobId: string, dependencies: string[]): void
  definePool(name: string, capacity: number): void
  getJob(jobId: string): JobView | null
  listJobs(): JobView[]
  getRun(runId: string): RunView | null
  listRuns(query?: ListRunsQuery): { runs: RunView[]; nextCursor: string | null }
  listAttempts(runId: string): AttemptRecord[]
  explain(jobId: string): Explanation
  /** Arms the timer, starts dispatching and recovers interrupted runs; resolves once recovery was applied. */
  start(): Promise<void>
  /** Runs every enabled job once, in dependency order, in parallel where the DAG allows. */
  runOnce(): Promise<OnceSummary>
  /** Stops: no new runs; running ones get `graceMs`, then are aborted and recorded; the store is closed. */
  stop(options?: { graceMs?: number }): Promise<void>
  /** Re-asks the gate about held and delayed runs now (e.g. after a market tick). */
  recheckGate(): void
  /** Deletes history per the retention setting; returns how many runs were deleted. */
  pruneHistory(): number
  on<K extends keyof SchedulerEvents>(event: K, fn: (payload: SchedulerEvents[K]) => void): () => void
  once<K extends keyof SchedulerEvents>(event: K, fn: (payload: SchedulerEvents[K]) => void): () => void
}

/** Creates the scheduler over a store; reads the stored jobs and unfinished runs at once (synchronously). */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? createRealClock()
  const store = options.store
  const ctx: Ctx = {
    opts: {
      maxConcurrentJobs: 4, defaultMaxRetries: 0, defaultRetryDelay: 1_000, maxRetryDelay: 300_000,
      defaultMisfireGraceTime: 60_000, holdRecheckMs: 60_000, shutdownGraceMs: 30_000, ...stripUndefined(options), store,
    },
    clock, log: options.logger ?? pino({ level: 'silent' }), timeline: createTimeline(clock),
    writes: createWriteBuffer(store), pools: createResourcePools(options.resourcePools), emitter: new EventEmitter(),
    tasks: new Map(), jobs: new Map(), pending: PRIORITIES.map(() => new Set<RunState>()), held: new Set(),
    runs: new Map(), nextRunId: store.maxRunId(), executing: 0, globalPaused: store.getState('paused') === '1',
    live: false, stopping: false, storeBroken: false, holdRecheck: null, kickScheduled: false, kick,
  }
  ctx.emitter.setMaxListeners(100)
  let timersOn = false
  let started = false
  let stopped = false
  let batchDepth = 0
  let interrupted: RunState[] = []
  let recovered: Promise<void> | null = null
  let retentionTimer: { cancel(): void } | null = null

  function kick() {
    if (ctx.kickScheduled) return
    ctx.kickScheduled = true
    setImmediate(() => {
      ctx.kickScheduled = false
      dispatch(ctx)
      flushQuietly()
    })
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
    if (stopped || ctx.stopping) throw new SchedulerError('SCHEDULER_STOPPED', 'the scheduler is stopped', { hint: 'create a new scheduler' })
  }
  function jobOf(jobId: string): JobState {
    const j = ctx.jobs.get(jobId)
    if (!j) throw new TaskSchedulingError('JOB_UNKNOWN', `no job with id "${jobId}"`, { hint: 'check the id with listJobs()' })
    return j
  }
  function exhausted(job: JobState) {
    return job.spec.maxExecutions !== undefined && job.rec.executions >= job.spec.maxExecutions
  }
  function armFire(job: JobState) {
    job.fire?.cancel()
    job.fire = null
    if (!timersOn || !job.rec.enabled || job.rec.nextFireAt === null) return
    job.fire = ctx.timeline.at(job.rec.nextFireAt, onFire, job)
  }

  /** A fire: coalesce every due fire time into at most one run; record missed and overlapping ones. */
  function onFire(job: JobState) {
    job.fire = null
    if (ctx.stopping || ctx.jobs.get(job.rec.id) !== job || !job.rec.enabled || job.rec.nextFireAt === null) return
    const now = clock.now()
    const grace = job.spec.misfireGraceTime ?? ctx.opts.defaultMisfireGraceTime
    // Every fire time in [nextFireAt, now] is due; at most the latest one runs (within grace), the rest are missed.
    const c = coalesceMissed(job.schedule, job.rec.nextFireAt - 1, now, grace)
    job.rec.lastFireAt = c.runAt ?? c.latestMissed ?? job.rec.nextFireAt
    if (c.missedCount > 0) {
      const m = newRun(ctx, job, 'schedule', 'missed', {
        scheduledFor: c.latestMissed, missedCount: c.missedCount, endedAt: now,
        reason: `${c.missedCount}${c.missedCountExact ? '' : '+'} fire time(s) passed while the scheduler was not running or the clock jumped; ` +
          (c.runAt === null ? `the latest is older than misfireGraceTime ${grace} ms` : 'coalesced into one run'),
      })
      job.lastMissed = { count: c.missedCount, latestMissed: c.latestMissed, at: now }
      emit(ctx, 'missed', { jobId: job.rec.id, runId: String(m.rec.id), run: { ...m.rec }, count: c.missedCount })
    }
    if (c.runAt !== null && !ctx.globalPaused && !job.rec.paused) {
      if (job.active.size >= job.spec.maxInstances) {
        const reason = `overlap: ${job.active.size} run(s) still active and maxInstances is ${job.spec.maxInstances}`
        const s = newRun(ctx, job, 'schedule', 'skipped', { scheduledFor: c.runAt, endedAt: now, reason })
        emit(ctx, 'skipped', { jobId: job.rec.id, runId: String(s.rec.id), run: { ...s.rec }, reason })
      } else {
        enqueue(ctx, newRun(ctx, job, 'schedule', 'pending', { scheduledFor: c.runAt }))
        job.rec.executions++
      }
    }
    job.rec.nextFireAt = exhausted(job) ? null : c.next
    saveJob(ctx, job)
    armFire(job)
    emit(ctx, 'scheduled', { jobId: job.rec.id, nextFireAt: job.rec.nextFireAt })
    kick()
  }

  function taskFor(spec: JobSpec): TaskDefinition {
    if (spec.handler) return { type: `inline:${spec.id}`, handler: spec.handler, recovery: spec.recovery }
    const t = ctx.tasks.get(spec.taskType!)
    if (!t) {
      throw new TaskSchedulingError('TASK_UNKNOWN', `job "${spec.id}" names unknown task type "${spec.taskType}"`, {
        hint: `register it with registerTask first (known: ${[...ctx.tasks.keys()].join(', ') || 'none'})`,
      })
    }
    return t
  }
  function checkArgs(task: TaskDefinition, jobId: string, args: unknown) {
    if (!task.argsSchema) return
    const r = task.argsSchema.safeParse(args)
    if (!r.success) {
      const list = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')
      throw new TaskSchedulingError('JOB_ARGS_INVALID', `invalid args for job "${jobId}" (task ${task.type}): ${list}`, {
        hint: 'fix the args to match the task\'s schema',
      })
    }
  }
  function checkDeps(jobId: string, deps: string[]) {
    for (const d of deps) {
      if (d !== jobId && !ctx.jobs.has(d)) {
        throw new DependencyError('DEPENDENCY_UNKNOWN', `job "${jobId}" depends on unknown job "${d}"`, {
          hint: 'add the dependency first, or fix its id',
        })
      }
    }
    const cycle = deps.length ? findCycleThrough(jobId, deps, (id) => ctx.jobs.get(id)?.spec.dependencies) : null
    if (cycle) {
      throw new DependencyError('DEPENDENCY_CYCLE', `dependency cycle: ${cycle.join(' -> ')}`, {
        cycle, hint: 'remove one of the dependencies in the cycle',
      })
    }
  }

  function addOne(input: JobSpecInput, ifExists: IfExists, wantView = true): JobView | null {
    const spec = parseJobSpec(input)
    const existing = ctx.jobs.get(spec.id)
    if (existing && ifExists === 'keep') return wantView ? view(existing) : null
    if (existing && ifExists === 'error') {
      throw new TaskSchedulingError('JOB_DUPLICATE', `a job with id "${spec.id}" already exists`, {
        hint: 'use another id, removeJob it first, or pass { ifExists: "replace" }',
      })
    }
    const task = taskFor(spec)
    checkArgs(task, spec.id, spec.args)
    const now = clock.now()
    const sameTrigger = !!existing && JSON.stringify(existing.spec.triggerInput ?? existing.spec.trigger) === JSON.stringify(spec.trigger)
    const compiled = sameTrigger
      ? { compiled: existing.schedule, input: existing.spec.triggerInput }
      : compileShared(spec.trigger, now, { allowPastEvents: spec.allowPastEvents, timezone: spec.timezone })
    const schedule = compiled.compiled
    spec.trigger = schedule.spec
    spec.triggerInput = compiled.input
    checkDeps(spec.id, spec.dependencies)
    ctx.pools.validate(spec.id, spec.resources)
    const rec: JobRecord = {
      // The spec JSON is built only when written (saveJob full), not kept per job in memory.
      id: spec.id, taskType: spec.handler ? task.type : spec.taskType!, specJson: '', enabled: spec.enabled,
      paused: existing?.rec.paused ?? false, priority: spec.priority, nextFireAt: null, lastFireAt: existing?.rec.lastFireAt ?? null,
      executions: existing?.rec.executions ?? 0, lastOutcome: existing?.rec.lastOutcome ?? null,
      createdAt: existing?.rec.createdAt ?? now, updatedAt: now,
    }
    const job: JobState = {
      rec, spec, schedule, persistent: !spec.handler, inlineTask: spec.handler ? task : null, fire: null,
      active: existing?.active ?? NO_RUNS, busy: existing?.busy ?? 0, lastMissed: existing?.lastMissed ?? null,
    }
    if (existing) {
      existing.fire?.cancel()
      for (const r of job.active) r.job = job
    }
    if (spec.enabled && !exhausted(job)) {
      rec.nextFireAt = sameTrigger && existing.rec.nextFireAt != null ? existing.rec.nextFireAt : schedule.firstFireAt(now)
    }
    ctx.jobs.set(spec.id, job)
    saveJob(ctx, job, true)
    armFire(job)
    emit(ctx, 'scheduled', { jobId: spec.id, nextFireAt: rec.nextFireAt })
    return wantView ? view(job) : null
  }

  function view(j: JobState): JobView {
    return {
      id: j.rec.id, taskType: j.rec.taskType, persistent: j.persistent, trigger: j.schedule.describe(),
      priority: j.rec.priority, enabled: j.rec.enabled, paused: j.rec.paused, nextFireAt: j.rec.nextFireAt,
      lastFireAt: j.rec.lastFireAt, executions: j.rec.executions, lastOutcome: j.rec.lastOutcome,
      dependencies: [...j.spec.dependencies], resources: { ...j.spec.resources }, maxInstances: j.spec.maxInstances,
      activeRuns: j.active.size, metadata: j.spec.metadata,
    }
  }
  function updateSpec(job: JobState, patch: Partial<JobSpec>) {
    Object.assign(job.spec, patch)
    saveJob(ctx, job, true)
  }

  // Load stored jobs and unfinished runs now; recovery waits for start()/runOnce() so tasks can register first.
  for (const rec of store.loadJobs()) {
    let spec: JobSpec
    try {
      spec = parseJobSpec(JSON.parse(rec.specJson))
    } catch (err) {
      ctx.log.error({ err, jobId: rec.id }, 'stored job spec is invalid; job not loaded')
      continue
    }
    let schedule
    try {
      schedule = compileJobTrigger(spec.trigger, clock.now(), { allowPastEvents: true })
    } catch (err) {
      ctx.log.error({ err, jobId: rec.id }, 'stored trigger does not compile; job loaded as manual')
      schedule = compileJobTrigger('manual', clock.now())
    }
    rec.specJson = ''
    ctx.jobs.set(rec.id, {
      rec, spec, schedule, persistent: true, inlineTask: null, fire: null, active: NO_RUNS, busy: 0, lastMissed: null,
    })
  }
  for (const rec of store.loadUnfinishedRuns()) {
    const job = ctx.jobs.get(rec.jobId)
    if (!job) {
      const wasExecuting = rec.status === 'running' || rec.status === 'retrying' || rec.status === 'interrupted'
      ctx.writes.run({
        ...rec, status: wasExecuting ? 'needs_attention' : 'cancelled', endedAt: clock.now(), recovery: wasExecuting ? 'unresolved' : rec.recovery,
        reason: wasExecuting ? 'interrupted run of a job that no longer exists (or was an in-memory job)' : 'job no longer exists',
      })
      continue
    }
    if (rec.status === 'running' || rec.status === 'retrying' || rec.status === 'interrupted') {
      Object.assign(rec, { status: 'interrupted', recovery: 'pending', endedAt: rec.endedAt ?? clock.now() })
      rec.reason ??= 'the process stopped while the run was executing'
      interrupted.push(adoptRun(ctx, job, rec))
    } else {
      const run = adoptRun(ctx, job, rec)
      if (rec.status === 'held') {
        ctx.held.add(run)
      } else if (rec.status === 'delayed' && rec.gateUntil !== null) {
        run.wake = ctx.timeline.at(rec.gateUntil, () => {
          run.wake = null
          if (run.rec.status === 'delayed' && ctx.runs.has(run.rec.id)) enqueue(ctx, run)
          kick()
        })
      } else enqueue(ctx, run)
    }
  }
  ctx.writes.flush()

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
        throw new TaskSchedulingError('TASK_DUPLICATE', `task type "${def.type}" is already registered`, { hint: 'register each task type once' })
      }
      ctx.tasks.set(def.type, def)
      kick()
    },
    addJob: (spec, o) => durable(() => addOne(spec, o?.ifExists ?? 'error')!),
    addJobs: (specs, o) =>
      durable(() =>
        specs.map((s) => {
          addOne(s, o?.ifExists ?? 'error', false)
          // Large plans are written in chunks: bounded memory, and still durable when addJobs returns.
          if (ctx.writes.size >= 5_000) ctx.writes.flush()
          return s.id
        }),
      ),
    removeJob: (jobId) =>
      durable(() => {
        const job = jobOf(jobId)
        const dependents = [...ctx.jobs.values()].filter((j) => j.spec.dependencies.includes(jobId)).map((j) => j.rec.id)
        if (dependents.length) {
          throw new DependencyError('DEPENDENCY_IN_USE', `job "${jobId}" cannot be removed: ${dependents.join(', ')} depend on it`, {
            hint: 'remove or change those dependencies first',
          })
        }
        for (const run of [...job.active]) cancelRunState(ctx, run, 'job removed')
        job.fire?.cancel()
        ctx.jobs.delete(jobId)
        if (job.persistent) ctx.writes.deleteJob(jobId)
      }),
    runNow: (jobId, argsOverride) =>
      durable(() => {
        const job = jobOf(jobId)
        if (!job.rec.enabled) {
          throw new TaskSchedulingError('JOB_DISABLED', `job "${jobId}" is disabled`, { hint: 'enable it before runNow' })
        }
        const task = job.inlineTask ?? ctx.tasks.get(job.rec.taskType)
        if (argsOverride !== undefined && task) checkArgs(task, jobId, argsOverride)
        const run = newRun(ctx, job, 'manual', 'pending', {
          scheduledFor: clock.now(), argsJson: argsOverride === undefined ? null : JSON.stringify(argsOverride),
        })
        enqueue(ctx, run)
        kick()
        return String(run.rec.id)
      }),
    cancelRun: (runId) =>
      durable(() => {
        const run = ctx.runs.get(Number(runId))
        return run ? cancelRunState(ctx, run, 'cancelled by operator') : false
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
        kick()
      }),
    enable: (jobId) =>
      durable(() => {
        const job = jobOf(jobId)
        if (job.rec.enabled) return
        job.rec.enabled = true
        job.spec.enabled = true
        job.rec.nextFireAt = exhausted(job) ? null : job.schedule.nextAfter(clock.now())
        updateSpec(job, {})
        armFire(job)
        kick()
      }),
    disable: (jobId) =>
      durable(() => {
        const job = jobOf(jobId)
        job.rec.enabled = false
        job.rec.nextFireAt = null
        updateSpec(job, { enabled: false })
        armFire(job)
        for (const run of [...job.active]) {
          if (run.rec.status === 'pending' || run.rec.status === 'delayed' || run.rec.status === 'held') {
            cancelRunState(ctx, run, 'job disabled')
          }
        }
        kick()
      }),
    setPriority: (jobId, priority) =>
      durable(() => {
        if (!PRIORITIES.includes(priority)) {
          throw new TaskSchedulingError('PRIORITY_INVALID', `unknown priority "${priority}"`, { hint: `use one of ${PRIORITIES.join(', ')}` })
        }
        const job = jobOf(jobId)
        job.rec.priority = priority
        updateSpec(job, { priority })
        for (const run of job.active) {
          if (ctx.pending[run.rank]!.delete(run)) ctx.pending[rankOf(priority)]!.add(run)
          run.rank = rankOf(priority)
        }
        kick()
      }),
    setDependencies: (jobId, dependencies) =>
      durable(() => {
        const job = jobOf(jobId)
        const deps = [...new Set(dependencies)]
        checkDeps(jobId, deps)
        updateSpec(job, { dependencies: deps })
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
    async start() {
      alive()
      if (started) return
      started = true
      ctx.live = true
      timersOn = true
      const now = clock.now()
      for (const job of ctx.jobs.values()) {
        if (job.rec.enabled && job.rec.nextFireAt === null && !exhausted(job) && job.schedule.kind !== 'manual' && job.rec.lastFireAt === null) {
          job.rec.nextFireAt = job.schedule.nextAfter(now)
          saveJob(ctx, job)
        }
        armFire(job)
      }
      if (ctx.held.size) recheckHeld(ctx, false)
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
      const wasLive = ctx.live
      ctx.live = true
      void recoverOnce()
      const graph = new Map<string, readonly string[]>()
      for (const [id, j] of ctx.jobs) if (j.rec.enabled) graph.set(id, j.spec.dependencies)
      const runs = durable(() =>
        topologicalOrder(graph).map((id) => {
          const run = newRun(ctx, jobOf(id), 'once', 'pending', { scheduledFor: clock.now() })
          enqueue(ctx, run)
          return run
        }),
      )
      kick()
      await Promise.all(runs.map((r) => r.done))
      if (!wasLive && !started) ctx.live = false
      const counts: OnceSummary['counts'] = {}
      for (const r of runs) counts[r.rec.status] = (counts[r.rec.status] ?? 0) + 1
      return {
        total: runs.length, counts, ok: runs.every((r) => r.rec.status === 'succeeded'),
        runs: runs.map((r) => ({ jobId: r.rec.jobId, runId: String(r.rec.id), status: r.rec.status, error: r.rec.error, reason: r.rec.reason })),
      }
    },
    async stop(o = {}) {
      if (stopped || ctx.stopping) return
      ctx.stopping = true
      const graceMs = o.graceMs ?? ctx.opts.shutdownGraceMs
      for (const job of ctx.jobs.values()) {
        job.fire?.cancel()
        job.fire = null
      }
      retentionTimer?.cancel()
      ctx.holdRecheck?.cancel()
      const executing = () => [...ctx.runs.values()].filter((r) => r.rec.status === 'running' || r.rec.status === 'retrying')
      if (executing().length) {
        await new Promise<void>((resolve) => {
          const deadline = ctx.timeline.at(clock.now() + graceMs, resolve)
          void Promise.all(executing().map((r) => r.done)).then(() => {
            deadline.cancel()
            resolve()
          })
        })
      }
      const left = executing()
      for (const r of left) {
        r.shutdown = true
        r.controller?.abort(new SchedulerError('SCHEDULER_SHUTDOWN', 'the scheduler is shutting down; the run was aborted'))
      }
      await Promise.all(left.map((r) => r.done))
      if (recovered) await recovered.catch(() => undefined)
      stopped = true
      ctx.live = false
      ctx.timeline.pause()
      try {
        ctx.writes.flush()
      } finally {
        // Closed even when the last write failed: the unwritten runs are found as running next start.
        store.close()
      }
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
    on(event, fn) {
      ctx.emitter.on(event, fn as (p: unknown) => void)
      return () => void ctx.emitter.off(event, fn as (p: unknown) => void)
    },
    once(event, fn) {
      ctx.emitter.once(event, fn as (p: unknown) => void)
      return () => void ctx.emitter.off(event, fn as (p: unknown) => void)
    },
  }
  return api
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
