// Jobs: validation on add, dependency and resource checks, fires (misfire coalescing, overlap), and views.
import { ownsJob } from '../cluster/cluster-groups.ts'
import { exhausted } from './job-limits.ts'
import { findCycleThrough } from './dag.ts'
import { DependencyError, TaskSchedulingError } from '../errors.ts'
import { markBehind } from './job-rows.ts'
import { parseJobSpec, type JobSpec, type JobSpecInput } from './job-spec.ts'
import {
  emit,
  enqueue,
  newRun,
  noteOutcomeWatcher,
  NO_RUNS,
  recordOutcome,
  saveJob,
  type Ctx,
  type JobState,
} from '../scheduler-state.ts'
import type { JobView } from '../scheduler-types.ts'
import type { JobRecord } from '../store/store-port.ts'
import type { TaskDefinition } from '../task-contract.ts'
import { compileShared } from '../triggers/trigger-bridge.ts'
import { coalesceMissed } from '../triggers/coalesce.ts'

/** What addJob does when a job with the same id exists: throw (default), replace its spec, or keep it. */
export type IfExists = 'error' | 'replace' | 'keep'

/** Puts the job's next fire time on the timeline (or takes it off). */
export function armFire(ctx: Ctx, job: JobState): void {
  job.fire?.cancel()
  job.fire = null
  if (!ctx.timersOn || !job.rec.enabled || job.rec.nextFireAt === null) return
  job.fire = ctx.timeline.at(job.rec.nextFireAt, ctx.fire, job)
}

/** A fire: coalesce every due fire time into at most one run; record missed and overlapping ones. */
export function onFire(ctx: Ctx, job: JobState): void {
  job.fire = null
  if (ctx.stopping || ctx.jobs.get(job.rec.id) !== job || !job.rec.enabled || job.rec.nextFireAt === null) return
  const now = ctx.clock.now()
  const grace = job.spec.misfireGraceTime ?? ctx.opts.defaultMisfireGraceTime
  // Every fire time in [nextFireAt, now] is due; at most the latest one runs (within grace), the rest are missed.
  const c = coalesceMissed(job.schedule, job.rec.nextFireAt - 1, now, grace)
  job.rec.lastFireAt = c.runAt ?? c.latestMissed ?? job.rec.nextFireAt
  if (!ownsJob(ctx, job)) {
    // A peer holds the job's group and handles this fire; keep the schedule in step, write nothing.
    if (c.runAt !== null) job.rec.executions++
    job.rec.nextFireAt = exhausted(job) ? null : c.next
    armFire(ctx, job)
    return
  }
  if (c.missedCount > 0) {
    const m = newRun(ctx, job, 'schedule', 'missed', {
      scheduledFor: c.latestMissed,
      missedCount: c.missedCount,
      endedAt: now,
      reason:
        `${c.missedCount}${c.missedCountExact ? '' : '+'} fire time(s) passed while the scheduler was not running or the clock jumped; ` +
        (c.runAt === null ? `the latest is older than misfireGraceTime ${grace} ms` : 'coalesced into one run'),
    })
    job.lastMissed = { count: c.missedCount, latestMissed: c.latestMissed, at: now }
    // With no run coalesced and none active, the miss is how this fire ended: dependents must see it, not wait.
    if (c.runAt === null && job.active.size === 0) recordOutcome(ctx, job, m)
    emit(ctx, 'missed', () => ({ jobId: job.rec.id, runId: String(m.rec.id), run: { ...m.rec }, count: c.missedCount }))
  }
  let enqueued = false
  if (c.runAt !== null && !ctx.globalPaused && !job.rec.paused) {
    if (job.active.size >= job.spec.maxInstances) {
      const reason = `overlap: ${job.active.size} run(s) still active and maxInstances is ${job.spec.maxInstances}`
      const s = newRun(ctx, job, 'schedule', 'skipped', { scheduledFor: c.runAt, endedAt: now, reason })
      emit(ctx, 'skipped', () => ({ jobId: job.rec.id, runId: String(s.rec.id), run: { ...s.rec }, reason }))
    } else {
      enqueue(ctx, newRun(ctx, job, 'schedule', 'pending', { scheduledFor: c.runAt }))
      job.rec.executions++
      enqueued = true
    }
  }
  job.rec.nextFireAt = exhausted(job) ? null : c.next
  // The run row records this fire; the job row catches up in the next row checkpoint.
  if (enqueued && ctx.deferJobRows) markBehind(ctx, job)
  else saveJob(ctx, job)
  armFire(ctx, job)
  emit(ctx, 'scheduled', () => ({ jobId: job.rec.id, nextFireAt: job.rec.nextFireAt }))
  ctx.kick()
}

function taskFor(ctx: Ctx, spec: JobSpec): TaskDefinition {
  if (spec.handler) return { type: `inline:${spec.id}`, handler: spec.handler, recovery: spec.recovery }
  const t = ctx.tasks.get(spec.taskType!)
  if (!t) {
    throw new TaskSchedulingError('TASK_UNKNOWN', `job "${spec.id}" names unknown task type "${spec.taskType}"`, {
      hint: `register it with registerTask first (known: ${[...ctx.tasks.keys()].join(', ') || 'none'})`,
    })
  }
  return t
}
/** Validates args against the task's schema; throws TaskSchedulingError naming the bad fields. */
export function checkArgs(task: TaskDefinition, jobId: string, args: unknown): void {
  if (!task.argsSchema) return
  const r = task.argsSchema.safeParse(args)
  if (!r.success) {
    const list = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new TaskSchedulingError('JOB_ARGS_INVALID', `invalid args for job "${jobId}" (task ${task.type}): ${list}`, {
      hint: "fix the args to match the task's schema",
    })
  }
}
/** Rejects unknown dependencies and cycles (DependencyError naming the cycle). */
export function checkDeps(ctx: Ctx, jobId: string, deps: string[]): void {
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
      cycle,
      hint: 'remove one of the dependencies in the cycle',
    })
  }
}

/** Validates and adds (or replaces/keeps) one job; writes are queued, the caller flushes. */
export function addOne(ctx: Ctx, input: JobSpecInput, ifExists: IfExists, wantView = true): JobView | null {
  const spec = parseJobSpec(input)
  const existing = ctx.jobs.get(spec.id)
  if (existing && ifExists === 'keep') return wantView ? view(existing) : null
  if (existing && ifExists === 'error') {
    throw new TaskSchedulingError('JOB_DUPLICATE', `a job with id "${spec.id}" already exists`, {
      hint: 'use another id, removeJob it first, or pass { ifExists: "replace" }',
    })
  }
  const task = taskFor(ctx, spec)
  checkArgs(task, spec.id, spec.args)
  const now = ctx.clock.now()
  const sameTrigger =
    !!existing && JSON.stringify(existing.spec.triggerInput ?? existing.spec.trigger) === JSON.stringify(spec.trigger)
  const compiled = sameTrigger
    ? { compiled: existing.schedule, input: existing.spec.triggerInput }
    : compileShared(spec.trigger, now, { allowPastEvents: spec.allowPastEvents, timezone: spec.timezone })
  const schedule = compiled.compiled
  spec.trigger = schedule.spec
  // Most jobs' triggers are already in resolved form: no triggerInput property then (one less slot per job).
  if (compiled.input !== undefined || spec.triggerInput !== undefined) spec.triggerInput = compiled.input
  checkDeps(ctx, spec.id, spec.dependencies)
  ctx.pools.validate(spec.id, spec.resources)
  const rec: JobRecord = {
    // The spec JSON is built only when written (saveJob full), not kept per job in memory.
    id: spec.id,
    taskType: spec.handler ? task.type : spec.taskType!,
    specJson: '',
    enabled: spec.enabled,
    paused: existing?.rec.paused ?? false,
    priority: spec.priority,
    nextFireAt: null,
    lastFireAt: existing?.rec.lastFireAt ?? null,
    executions: existing?.rec.executions ?? 0,
    lastOutcome: existing?.rec.lastOutcome ?? null,
    createdAt: existing?.rec.createdAt ?? now,
    updatedAt: now,
    // A new job's row reflects every run so far: runs of an earlier job with this id are not its fires.
    stateRunId: existing?.rec.stateRunId ?? ctx.lastRunId,
    outcomeSeq: existing?.rec.outcomeSeq ?? ctx.outcomeSeq,
  }
  const job: JobState = {
    rec,
    spec,
    schedule,
    persistent: !spec.handler,
    inlineTask: spec.handler ? task : null,
    fire: null,
    active: existing?.active ?? NO_RUNS,
    busy: existing?.busy ?? 0,
    lastMissed: existing?.lastMissed ?? null,
  }
  if (existing) {
    existing.fire?.cancel()
    for (const r of job.active) r.job = job
  }
  if (spec.enabled && !exhausted(job)) {
    rec.nextFireAt =
      sameTrigger && existing.rec.nextFireAt != null ? existing.rec.nextFireAt : schedule.firstFireAt(now)
  }
  ctx.jobs.set(spec.id, job)
  if (ctx.cluster) ctx.cluster.dirty = true
  noteOutcomeWatcher(ctx, job)
  saveJob(ctx, job, true)
  armFire(ctx, job)
  emit(ctx, 'scheduled', () => ({ jobId: spec.id, nextFireAt: rec.nextFireAt }))
  return wantView ? view(job) : null
}

/** The API view of a job. */
export function view(j: JobState): JobView {
  return {
    id: j.rec.id,
    taskType: j.rec.taskType,
    persistent: j.persistent,
    trigger: j.schedule.describe(),
    priority: j.rec.priority,
    enabled: j.rec.enabled,
    paused: j.rec.paused,
    nextFireAt: j.rec.nextFireAt,
    lastFireAt: j.rec.lastFireAt,
    executions: j.rec.executions,
    lastOutcome: j.rec.lastOutcome,
    dependencies: [...j.spec.dependencies],
    triggerRule: j.spec.triggerRule ?? 'all_success',
    resources: { ...j.spec.resources },
    maxInstances: j.spec.maxInstances,
    activeRuns: j.active.size,
    metadata: j.spec.metadata,
    eventOn:
      j.schedule.kind === 'event' ? (j.schedule.spec as { on: { kind: string } & Record<string, unknown> }).on : null,
  }
}
/** Changes a job's spec and queues the full record. */
export function updateSpec(ctx: Ctx, job: JobState, patch: Partial<JobSpec>): void {
  Object.assign(job.spec, patch)
  saveJob(ctx, job, true)
}
