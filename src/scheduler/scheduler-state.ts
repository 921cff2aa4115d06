// The scheduler's in-memory state and the small helpers every part of the loop shares (runs, writes, events).
import type { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { Clock } from './time/clock.ts'
import type { JobSpec } from './jobs/job-spec.ts'
import type { ResourcePools } from './runs/resource-pools.ts'
import type { EscalationEvent, SchedulerEvents, SchedulerOptions } from './scheduler-types.ts'
import {
  PRIORITIES,
  type JobRecord,
  type RunOrigin,
  type RunRecord,
  type RunStatus,
  type SchedulerStore,
} from './store/store-port.ts'
import type { TaskDefinition } from './task-contract.ts'
import type { Timeline, TimelineHandle } from './time/timeline.ts'
import type { CompiledTrigger } from './triggers/compile.ts'
import type { WriteBuffer } from './store/write-buffer.ts'
import type { LazyAbort } from './runs/lazy-abort.ts'
import type { ClusterState } from './cluster/cluster-types.ts'
import { redactSecrets } from '../logging/redact.ts'
import { markBehind } from './jobs/job-rows.ts'
import { OUTCOME_STATUSES } from './jobs/dependency-rules.ts'

/** A job held in memory. */
export interface JobState {
  rec: JobRecord
  spec: JobSpec
  schedule: CompiledTrigger
  /** False for inline-handler jobs, which are not written to the store. */
  persistent: boolean
  inlineTask: TaskDefinition | null
  fire: TimelineHandle | null
  /** Runs not yet finished (pending, delayed, held, running, retrying, or interrupted awaiting recovery). */
  active: Set<RunState>
  /** Executions holding one of the job's instances (running, retrying, gating, reconciling, or a handler
   *  that ignored its abort and has not returned yet). */
  busy: number
  lastMissed: { count: number; latestMissed: number | null; at: number } | null
  /** Why the run behind `rec.lastOutcome` ended so (in memory only: dependents name it when they are cancelled). */
  lastReason?: string | null
}

/** A run held in memory while it is not finished. */
export interface RunState {
  rec: RunRecord
  job: JobState
  rank: number
  /** The run's abort switch while it executes (cancel, shutdown, lost cluster lease). */
  controller: LazyAbort | null
  wake: TimelineHandle | null
  /** Wakes the loop when the run's dependencyTimeout expires. */
  depTimer?: TimelineHandle | null
  cancelReason: string | null
  shutdown: boolean
  /** Set when the run reached a final status (or the scheduler stopped). */
  finished: boolean
  /** Set when the run's group moved to another instance: nothing of it is written here any more. */
  detached?: boolean
  doneWaiters: (() => void)[] | null
}

/** Everything the scheduler parts share. */
export interface Ctx {
  opts: Required<
    Pick<
      SchedulerOptions,
      | 'maxConcurrentJobs'
      | 'defaultMaxRetries'
      | 'defaultRetryDelay'
      | 'maxRetryDelay'
      | 'defaultMisfireGraceTime'
      | 'holdRecheckMs'
      | 'shutdownGraceMs'
    >
  > &
    SchedulerOptions
  clock: Clock
  log: Logger
  timeline: Timeline
  writes: WriteBuffer
  pools: ResourcePools
  emitter: EventEmitter
  tasks: Map<string, TaskDefinition>
  jobs: Map<string, JobState>
  /** Pending runs per priority rank; Set order is arrival order, which gives FIFO within a priority. */
  pending: Set<RunState>[]
  held: Set<RunState>
  runs: Map<number, RunState>
  /** Job id -> ids of jobs whose event trigger is that job's outcome (entries are re-checked when used). */
  outcomeWatchers: Map<string, Set<string>>
  /** Fires the watchers of a finished job (set by the scheduler; called only when some job watches outcomes). */
  onOutcome?: (jobId: string, status: 'succeeded' | 'failed') => void
  /** The next run id (from the store's id blocks when it has them). */
  nextRunId(): number
  /** Several instances share the store: runs of a job exist only on the owner of its group. */
  cluster?: ClusterState
  executing: number
  globalPaused: boolean
  /** True while runs may be dispatched (after start(), or during runOnce()). */
  live: boolean
  stopping: boolean
  storeBroken: boolean
  holdRecheck: TimelineHandle | null
  kickScheduled: boolean
  /** True once start() armed the triggers (runOnce alone never fires triggers). */
  timersOn: boolean
  kick(): void
  /** The fire handler the timeline calls with a job (one function, no closure per job). */
  fire(job: JobState): void
  /**
   * A fire that enqueues a run and a run that finishes leave the job row alone (job-rows.ts writes it later): the
   * store derives fires and outcomes the row does not hold from run rows at load. Off in a cluster, whose peers
   * read job rows.
   */
  deferJobRows: boolean
  /** Jobs whose row is behind their state in memory (written by the next row checkpoint). */
  behind: Set<JobState>
  rowCheckpoint: TimelineHandle | null
  /** The highest run id created so far (new jobs' rows reflect every run before them). */
  lastRunId: number
  /** The lowest id of a run this process left interrupted with its recovery pending (unfinished in the store). */
  recoveryFloor: number
  /** The last number given to a run that set its job's last outcome (completion order). */
  outcomeSeq: number
}

/** Indexes a job whose trigger is another job's outcome, so a finished run looks up its watchers directly. */
export function noteOutcomeWatcher(ctx: Ctx, job: JobState): void {
  if (job.schedule.kind !== 'event') return
  const on = (job.schedule.spec as { on: { kind: string; job?: string } }).on
  if (on.kind !== 'job' || !on.job) return
  let ids = ctx.outcomeWatchers.get(on.job)
  if (!ids) ctx.outcomeWatchers.set(on.job, (ids = new Set()))
  ids.add(job.rec.id)
}

/** The shared empty run set of jobs with no unfinished run (a job gets its own set at its first run). */
export const NO_RUNS: Set<RunState> = new Set()

/** Statuses that set a job's last outcome (what dependents look at). */

/** Priority rank: 0 for critical ... 4 for lowest. */
export function rankOf(p: JobRecord['priority']): number {
  return PRIORITIES.indexOf(p)
}

/**
 * Emits a typed event; the payload is built only when someone listens (the hot path allocates nothing).
 * A throwing listener is logged, never allowed to break the loop.
 */
export function emit<K extends keyof SchedulerEvents>(ctx: Ctx, name: K, payload: () => SchedulerEvents[K]): void {
  if (ctx.emitter.listenerCount(name) === 0) return
  try {
    ctx.emitter.emit(name, payload())
  } catch (err) {
    ctx.log.error({ err, event: name }, 'scheduler event listener threw')
  }
}

/** Queues a job's state for the next flush, with its spec when `full` (inline jobs are not persisted). */
export function saveJob(ctx: Ctx, job: JobState, full = false): void {
  job.rec.updatedAt = ctx.clock.now()
  if (!job.persistent) return
  ctx.writes.job(job.rec, full ? job.spec : undefined)
  if (ctx.behind.size) ctx.behind.delete(job)
}

/** Creates a run record and its in-memory state; active runs join their job's active set. */
export function newRun(
  ctx: Ctx,
  job: JobState,
  origin: RunOrigin,
  status: RunStatus,
  extra: Partial<RunRecord> = {},
): RunState {
  const id = ctx.nextRunId()
  ctx.lastRunId = id
  // The in-memory job reflects this run from now on; its row says so when next written.
  job.rec.stateRunId = id
  const rec: RunRecord = {
    id,
    jobId: job.rec.id,
    status,
    origin,
    scheduledFor: null,
    createdAt: ctx.clock.now(),
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
    ...extra,
  }
  return adoptRun(ctx, job, rec)
}

/** Run ids: from the store's id blocks when it hands them out (shared stores), else after the highest stored id. */
export function runIdSource(store: SchedulerStore): () => number {
  if (!store.allocateRunIds) {
    let last = store.maxRunId()
    return () => ++last
  }
  let next = 0
  let end = 0
  return () => {
    if (next >= end) {
      const block = store.allocateRunIds!()
      next = block.first
      end = block.first + block.count
    }
    return next++
  }
}

/** Wraps an existing record (new or loaded from the store) in run state and writes it. */
export function adoptRun(ctx: Ctx, job: JobState, rec: RunRecord): RunState {
  const run: RunState = {
    rec,
    job,
    rank: rankOf(job.rec.priority),
    controller: null,
    wake: null,
    cancelReason: null,
    shutdown: false,
    finished: false,
    doneWaiters: null,
  }
  ctx.writes.run(rec)
  if (isActive(rec.status)) {
    if (job.active === NO_RUNS) job.active = new Set()
    job.active.add(run)
    ctx.runs.set(rec.id, run)
  } else run.finished = true
  return run
}

/** Resolves when the run finished (made lazily: most runs are never awaited). */
export function whenDone(run: RunState): Promise<void> {
  if (run.finished) return Promise.resolve()
  return new Promise((resolve) => (run.doneWaiters ??= []).push(resolve))
}

/** Marks a run finished and releases whoever awaits it. */
export function resolveDone(run: RunState): void {
  run.finished = true
  const waiters = run.doneWaiters
  run.doneWaiters = null
  if (waiters) for (const w of waiters) w()
}

/** True for statuses of runs that are not finished. */
export function isActive(s: RunStatus): boolean {
  return (
    s === 'pending' || s === 'delayed' || s === 'held' || s === 'running' || s === 'retrying' || s === 'interrupted'
  )
}

/** Puts a run in its priority queue as pending. */
export function enqueue(ctx: Ctx, run: RunState): void {
  run.rec.status = 'pending'
  run.rank = rankOf(run.job.rec.priority)
  ctx.pending[run.rank]!.add(run)
  ctx.writes.run(run.rec)
}

/** Takes a run out of every waiting place (queue, hold set, wake timer). */
export function unqueue(ctx: Ctx, run: RunState): void {
  ctx.pending[run.rank]!.delete(run)
  ctx.held.delete(run)
  run.wake?.cancel()
  run.wake = null
}

/** The common part of a run's event payloads (built only when someone listens). */
export function runPayload(run: RunState) {
  return { jobId: run.job.rec.id, runId: String(run.rec.id), run: { ...run.rec } }
}

/** Moves a run to a final status, updates its job's last outcome, writes both, emits and escalates. */
export function finishRun(ctx: Ctx, run: RunState, status: RunStatus, fields: Partial<RunRecord> = {}): void {
  if (run.detached) return
  unqueue(ctx, run)
  Object.assign(run.rec, fields)
  run.rec.status = status
  run.rec.endedAt ??= ctx.clock.now()
  if (status === 'interrupted' && run.rec.recovery === 'pending')
    ctx.recoveryFloor = Math.min(ctx.recoveryFloor, run.rec.id)
  const job = run.job
  job.active.delete(run)
  ctx.runs.delete(run.rec.id)
  if (ctx.jobs.get(job.rec.id) === job) {
    // An interruption awaiting recovery is not an outcome: its rerun or reconcile verdict is.
    if (OUTCOME_STATUSES.has(status) && !(status === 'interrupted' && run.rec.recovery === 'pending'))
      recordOutcome(ctx, job, run)
    if (ctx.deferJobRows) markBehind(ctx, job)
    else saveJob(ctx, job)
  }
  ctx.writes.run(run.rec)
  switch (status) {
    case 'succeeded':
      emit(ctx, 'succeeded', () => ({
        ...runPayload(run),
        result: run.rec.resultJson === null ? null : JSON.parse(run.rec.resultJson),
      }))
      break
    case 'failed':
      emit(ctx, 'failed', () => ({ ...runPayload(run), error: run.rec.error ?? 'unknown error' }))
      escalate(ctx, run, 'failed', run.rec.error ?? 'unknown error')
      break
    case 'cancelled':
      emit(ctx, 'cancelled', () => ({ ...runPayload(run), reason: run.rec.reason ?? 'cancelled' }))
      break
    case 'skipped':
      emit(ctx, 'skipped', () => ({ ...runPayload(run), reason: run.rec.reason ?? 'skipped' }))
      break
    case 'missed':
      emit(ctx, 'missed', () => ({ ...runPayload(run), count: 1 }))
      break
    case 'needs_attention':
      emit(ctx, 'needs_attention', () => ({ ...runPayload(run), reason: run.rec.reason ?? 'needs attention' }))
      escalate(ctx, run, 'needs_attention', run.rec.reason ?? 'needs attention')
      break
    default:
      break
  }
  if ((status === 'succeeded' || status === 'failed') && ctx.outcomeWatchers.has(job.rec.id))
    ctx.onOutcome?.(job.rec.id, status)
  resolveDone(run)
  ctx.kick()
}

/** Makes a finished run its job's last outcome (what dependents see), numbered in completion order. */
export function recordOutcome(ctx: Ctx, job: JobState, run: RunState): void {
  job.rec.lastOutcome = run.rec.status
  job.lastReason = run.rec.reason ?? run.rec.error ?? null
  // Numbered in completion order: after a crash, the last outcome is the one with the highest number.
  if (ctx.deferJobRows) run.rec.outcomeSeq = job.rec.outcomeSeq = ++ctx.outcomeSeq
}

/** Emits `escalated` and calls the escalation hook; a failing hook is logged, never thrown. */
function escalate(ctx: Ctx, run: RunState, kind: EscalationEvent['kind'], message: string): void {
  const ev: EscalationEvent = {
    kind,
    jobId: run.rec.jobId,
    runId: String(run.rec.id),
    attempt: run.rec.attempt,
    message,
    at: ctx.clock.now(),
  }
  ctx.log.warn({ jobId: ev.jobId, runId: ev.runId, kind }, `run escalated: ${message}`)
  emit(ctx, 'escalated', () => ev)
  const hook = ctx.opts.onEscalation
  if (!hook) return
  try {
    void Promise.resolve(hook(ev)).catch((err: unknown) => ctx.log.error({ err }, 'escalation hook failed'))
  } catch (err) {
    ctx.log.error({ err }, 'escalation hook failed')
  }
}

/** A secret-free (keys and credentialed URLs scrubbed) one-line message for an error stored on a run. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return redactSecrets(`${err.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${err.message}`).slice(0, 2000)
  }
  return redactSecrets(String(err)).slice(0, 2000)
}
