// The operator's controls over tasks and jobs: register, remove, run now, fire, cancel, pause, enable, priority.
import { handOffRun, publishControl } from '../cluster/cluster.ts'
import { ownsJob } from '../cluster/cluster-groups.ts'
import { DependencyError, TaskSchedulingError } from '../errors.ts'
import { cancelRunState } from '../runs/run-start.ts'
import { enqueue, newRun, rankOf, saveJob, type Ctx, type JobState } from '../scheduler-state.ts'
import { PRIORITIES, type Priority } from '../store/store-port.ts'
import type { TaskDefinition } from '../task-contract.ts'
import { fireEventJob, type EventFireResult } from './event-fire.ts'
import { exhausted } from './job-limits.ts'
import { armFire, checkArgs, checkDeps, updateSpec } from './jobs.ts'

/** Registers a task type once; jobs naming it may run from then on. */
export function registerTask(ctx: Ctx, def: TaskDefinition): void {
  if (!def || typeof def.type !== 'string' || !def.type || typeof def.handler !== 'function') {
    throw new TaskSchedulingError('TASK_INVALID', 'a task needs a non-empty type and a handler function')
  }
  if (ctx.tasks.has(def.type)) {
    throw new TaskSchedulingError('TASK_DUPLICATE', `task type "${def.type}" is already registered`, {
      hint: 'register each task type once',
    })
  }
  ctx.tasks.set(def.type, def)
  ctx.kick()
}

/** The job with this id, or a JOB_UNKNOWN error. */
export function jobOf(ctx: Ctx, jobId: string): JobState {
  const j = ctx.jobs.get(jobId)
  if (!j)
    throw new TaskSchedulingError('JOB_UNKNOWN', `no job with id "${jobId}"`, {
      hint: 'check the id with listJobs()',
    })
  return j
}

/** Removes a job no other job depends on; its unfinished runs are cancelled. */
export function removeJob(ctx: Ctx, jobId: string): void {
  const job = jobOf(ctx, jobId)
  const dependents = [...ctx.jobs.values()].filter((j) => j.spec.dependencies.includes(jobId)).map((j) => j.rec.id)
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
}

/** Queues a manual run of an enabled job (handed to its group's owner in a cluster); returns the run id. */
export function runNow(ctx: Ctx, jobId: string, argsOverride: unknown): string {
  const job = jobOf(ctx, jobId)
  if (!job.rec.enabled) {
    throw new TaskSchedulingError('JOB_DISABLED', `job "${jobId}" is disabled`, {
      hint: 'enable it before runNow',
    })
  }
  const task = job.inlineTask ?? ctx.tasks.get(job.rec.taskType)
  if (argsOverride !== undefined && task) checkArgs(task, jobId, argsOverride)
  const run = newRun(ctx, job, 'manual', 'pending', {
    scheduledFor: ctx.clock.now(),
    argsJson: argsOverride === undefined ? null : JSON.stringify(argsOverride),
  })
  if (!ownsJob(ctx, job)) handOffRun(ctx, run)
  else enqueue(ctx, run)
  ctx.kick()
  return String(run.rec.id)
}

/** Reports the event an `event`-triggered job waits for; other trigger kinds are refused. */
export function fireEvent(ctx: Ctx, jobId: string, detail: string): EventFireResult {
  const job = jobOf(ctx, jobId)
  if (job.schedule.kind !== 'event') {
    throw new TaskSchedulingError(
      'JOB_NOT_EVENT',
      `job "${jobId}" has a ${job.schedule.kind} trigger, not an event trigger`,
      {
        hint: 'use runNow for other jobs',
      },
    )
  }
  return fireEventJob(ctx, job, detail)
}

/** Cancels an unfinished run of this instance; false when there is none with that id. */
export function cancelRun(ctx: Ctx, runId: string, reason: string): boolean {
  const run = ctx.runs.get(Number(runId))
  return run ? cancelRunState(ctx, run, reason) : false
}

/** Pauses or resumes one job, or every job (stored) when `jobId` is undefined; peers are told. */
export function setPaused(ctx: Ctx, jobId: string | undefined, paused: boolean): void {
  if (jobId === undefined) {
    ctx.globalPaused = paused
    ctx.writes.state('paused', paused ? '1' : '0')
  } else {
    jobOf(ctx, jobId).rec.paused = paused
    saveJob(ctx, jobOf(ctx, jobId))
  }
  publishControl(ctx, { jobId: jobId ?? null, action: paused ? 'pause' : 'resume' })
  if (!paused) ctx.kick()
}

/** Enables a job: its trigger is armed again from now. */
export function enableJob(ctx: Ctx, jobId: string): void {
  const job = jobOf(ctx, jobId)
  if (job.rec.enabled) return
  job.rec.enabled = true
  job.spec.enabled = true
  job.rec.nextFireAt = exhausted(job) ? null : job.schedule.nextAfter(ctx.clock.now())
  updateSpec(ctx, job, {})
  armFire(ctx, job)
  publishControl(ctx, { jobId, action: 'enable' })
  ctx.kick()
}

/** Disables a job: no more fires, and its waiting runs are cancelled (executing ones finish). */
export function disableJob(ctx: Ctx, jobId: string): void {
  const job = jobOf(ctx, jobId)
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
  ctx.kick()
}

/** Sets a job's priority; its queued runs move to the new priority's queue. */
export function setPriority(ctx: Ctx, jobId: string, priority: Priority): void {
  if (!PRIORITIES.includes(priority)) {
    throw new TaskSchedulingError('PRIORITY_INVALID', `unknown priority "${priority}"`, {
      hint: `use one of ${PRIORITIES.join(', ')}`,
    })
  }
  const job = jobOf(ctx, jobId)
  job.rec.priority = priority
  updateSpec(ctx, job, { priority })
  for (const run of job.active) {
    if (ctx.pending[run.rank]!.delete(run)) ctx.pending[rankOf(priority)]!.add(run)
    run.rank = rankOf(priority)
  }
  publishControl(ctx, { jobId, action: 'priority', value: priority })
  ctx.kick()
}

/** Replaces a job's dependencies (deduplicated) after the cycle and existence checks. */
export function setDependencies(ctx: Ctx, jobId: string, dependencies: string[]): void {
  const job = jobOf(ctx, jobId)
  const deps = [...new Set(dependencies)]
  checkDeps(ctx, jobId, deps)
  updateSpec(ctx, job, { dependencies: deps })
  if (ctx.cluster) ctx.cluster.dirty = true
  ctx.kick()
}
