// Loads the stored jobs and unfinished runs into memory when the scheduler is created.
import { parseJobSpec, type JobSpec } from './job-spec.ts'
import { adoptRun, enqueue, noteOutcomeWatcher, NO_RUNS, type Ctx, type RunState } from './scheduler-state.ts'
import type { RunRecord, SchedulerStore } from './store-port.ts'
import { compileJobTrigger } from './trigger-bridge.ts'

/**
 * Reads jobs and unfinished runs: pending, delayed and held runs go back to their queues; runs found executing
 * are marked `interrupted` (recovery pending) and returned, for start()/runOnce() to recover once tasks exist.
 */
export function loadState(ctx: Ctx, store: SchedulerStore): RunState[] {
  const interrupted: RunState[] = []
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
      schedule = compileJobTrigger(spec.trigger, ctx.clock.now(), { allowPastEvents: true })
    } catch (err) {
      ctx.log.error({ err, jobId: rec.id }, 'stored trigger does not compile; job loaded as manual')
      schedule = compileJobTrigger('manual', ctx.clock.now())
    }
    rec.specJson = ''
    const job = { rec, spec, schedule, persistent: true, inlineTask: null, fire: null, active: NO_RUNS, busy: 0, lastMissed: null }
    ctx.jobs.set(rec.id, job)
    noteOutcomeWatcher(ctx, job)
  }
  // With several instances, runs are loaded per group when this instance takes the group's lease.
  if (!ctx.cluster) for (const rec of store.loadUnfinishedRuns()) adoptStoredRun(ctx, rec, interrupted)
  ctx.writes.flush()
  return interrupted
}

/**
 * Puts a stored unfinished run back in memory: pending, delayed and held ones wait again; runs found executing
 * become `interrupted` (recovery pending) and are added to `interrupted`. A run of an unknown job is closed.
 */
export function adoptStoredRun(ctx: Ctx, rec: RunRecord, interrupted: RunState[]): void {
  const job = ctx.jobs.get(rec.jobId)
  if (!job) {
    const wasExecuting = rec.status === 'running' || rec.status === 'retrying' || rec.status === 'interrupted'
    ctx.writes.run({
      ...rec, status: wasExecuting ? 'needs_attention' : 'cancelled', endedAt: ctx.clock.now(), recovery: wasExecuting ? 'unresolved' : rec.recovery,
      reason: wasExecuting ? 'interrupted run of a job that no longer exists (or was an in-memory job)' : 'job no longer exists',
    })
    return
  }
  if (rec.status === 'running' || rec.status === 'retrying' || rec.status === 'interrupted') {
    Object.assign(rec, { status: 'interrupted', recovery: 'pending', endedAt: rec.endedAt ?? ctx.clock.now() })
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
        ctx.kick()
      })
    } else enqueue(ctx, run)
  }
}
