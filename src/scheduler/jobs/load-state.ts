// Loads the stored jobs and unfinished runs into memory when the scheduler is created.
import { parseJobSpec, type JobSpec } from './job-spec.ts'
import { OUTCOME_CHECKPOINT_KEY } from './job-rows.ts'
import { exhausted } from './job-limits.ts'
import {
  adoptRun,
  enqueue,
  noteOutcomeWatcher,
  NO_RUNS,
  type Ctx,
  type JobState,
  type RunState,
} from '../scheduler-state.ts'
import type { RunRecord, SchedulerStore, UnreflectedFire } from '../store/store-port.ts'
import { compileJobTrigger } from '../triggers/trigger-bridge.ts'

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
    const job = {
      rec,
      spec,
      schedule,
      persistent: true,
      inlineTask: null,
      fire: null,
      active: NO_RUNS,
      busy: 0,
      lastMissed: null,
    }
    ctx.jobs.set(rec.id, job)
    noteOutcomeWatcher(ctx, job)
  }
  if (ctx.deferJobRows) {
    catchUpFires(ctx, store.loadUnreflectedFires!())
    catchUpOutcomes(ctx, store)
  }
  // With several instances, runs are loaded per group when this instance takes the group's lease.
  if (!ctx.cluster) for (const rec of store.loadUnfinishedRuns()) adoptStoredRun(ctx, rec, interrupted)
  if (ctx.opts.view) ctx.writes.discard()
  else ctx.writes.flush()
  return interrupted
}

/**
 * Applies fires the job rows do not reflect yet: a fire that enqueued a run writes only the run, and the job row
 * catches up at the next row checkpoint, so a crash in between leaves the row fires behind. Each such run counts
 * as the fire it was (missed and skipped runs advance the last fire time without counting an execution), and the
 * next fire time follows the last one, exactly as the fire itself computed it.
 */
function catchUpFires(ctx: Ctx, fires: UnreflectedFire[]): void {
  const behind = new Set<JobState>()
  for (const f of fires) {
    const job = ctx.jobs.get(f.jobId)
    if (!job) continue
    if (f.status !== 'missed' && f.status !== 'skipped') job.rec.executions++
    if (f.scheduledFor !== null) job.rec.lastFireAt = Math.max(job.rec.lastFireAt ?? f.scheduledFor, f.scheduledFor)
    job.rec.stateRunId = f.runId
    behind.add(job)
  }
  // Memory only: deriving again from the same rows gives the same answer, and the row catches up at the first row
  // checkpoint after start. A read-only state view beside a live bot must not write rows it may be late on.
  for (const job of behind) {
    ctx.behind.add(job)
    if (job.rec.enabled && job.rec.lastFireAt !== null) {
      job.rec.nextFireAt = exhausted(job) ? null : job.schedule.nextAfter(job.rec.lastFireAt)
    }
    ctx.log.info(
      { jobId: job.rec.id, lastFireAt: job.rec.lastFireAt, nextFireAt: job.rec.nextFireAt },
      'fires recorded only as runs applied to the job',
    )
  }
}

/**
 * Applies outcomes the job rows do not hold yet (runs finished after the last row checkpoint), in completion order
 * so each job ends with its latest, and continues the numbering after the highest number stored anywhere.
 */
function catchUpOutcomes(ctx: Ctx, store: SchedulerStore): void {
  const after = Number(store.getState(OUTCOME_CHECKPOINT_KEY) ?? 0)
  const { outcomes, maxSeq } = store.loadUnreflectedOutcomes!(after)
  let seq = Math.max(after, maxSeq)
  for (const job of ctx.jobs.values()) seq = Math.max(seq, job.rec.outcomeSeq ?? 0)
  ctx.outcomeSeq = seq
  for (const o of outcomes) {
    const job = ctx.jobs.get(o.jobId)
    if (!job) continue
    job.rec.lastOutcome = o.status
    job.rec.outcomeSeq = o.seq
    ctx.behind.add(job)
  }
  if (outcomes.length) ctx.log.info({ count: outcomes.length }, 'outcomes recorded only on runs applied to their jobs')
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
      ...rec,
      status: wasExecuting ? 'needs_attention' : 'cancelled',
      endedAt: ctx.clock.now(),
      recovery: wasExecuting ? 'unresolved' : rec.recovery,
      reason: wasExecuting
        ? 'interrupted run of a job that no longer exists (or was an in-memory job)'
        : 'job no longer exists',
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
