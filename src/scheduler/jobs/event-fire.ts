// Event triggers in the core: a reported event (or another job's outcome) becomes one run, debounced, with the
// same pause, overlap and maxExecutions rules as a timed fire.
import { ownsJob } from '../cluster/cluster-groups.ts'
import { exhausted } from './job-limits.ts'
import { emit, enqueue, newRun, saveJob, type Ctx, type JobState } from '../scheduler-state.ts'

/** What firing an event did. */
export type EventFireResult = { runId: string } | { ignored: string }

/** Turns one event into a run of `job` (origin `schedule`, so run windows and the gate apply as for timed fires). */
export function fireEventJob(ctx: Ctx, job: JobState, detail: string): EventFireResult {
  const now = ctx.clock.now()
  const spec = job.schedule.spec as { debounce?: number }
  if (!job.rec.enabled) return { ignored: 'job is disabled' }
  if (!ownsJob(ctx, job)) return { ignored: "another instance holds this job's group and handles its events" }
  if (ctx.globalPaused || job.rec.paused) return { ignored: 'paused' }
  if (exhausted(job)) return { ignored: `maxExecutions ${job.spec.maxExecutions} reached` }
  if (spec.debounce && job.rec.lastFireAt !== null && now - job.rec.lastFireAt < spec.debounce) {
    return { ignored: `debounced: fired ${now - job.rec.lastFireAt} ms ago, debounce is ${spec.debounce} ms` }
  }
  job.rec.lastFireAt = now
  const reason = `event: ${detail.slice(0, 500)}`
  if (job.active.size >= job.spec.maxInstances) {
    const skip = `${reason}; overlap: ${job.active.size} run(s) still active and maxInstances is ${job.spec.maxInstances}`
    const s = newRun(ctx, job, 'schedule', 'skipped', { scheduledFor: now, endedAt: now, reason: skip })
    saveJob(ctx, job)
    emit(ctx, 'skipped', () => ({ jobId: job.rec.id, runId: String(s.rec.id), run: { ...s.rec }, reason: skip }))
    return { ignored: skip }
  }
  const run = newRun(ctx, job, 'schedule', 'pending', { scheduledFor: now, reason })
  job.rec.executions++
  saveJob(ctx, job)
  enqueue(ctx, run)
  ctx.kick()
  return { runId: String(run.rec.id) }
}

/** Fires the jobs whose event trigger is `jobId` ending with `status` (looked up in the index, then re-checked). */
export function fireOutcomeEvents(ctx: Ctx, jobId: string, status: 'succeeded' | 'failed'): void {
  const ids = ctx.outcomeWatchers.get(jobId)
  if (!ids) return
  for (const id of ids) {
    const job = ctx.jobs.get(id)
    if (!job || job.schedule.kind !== 'event') continue
    const on = (job.schedule.spec as { on: { kind: string; job?: string; outcome?: string } }).on
    if (on.kind !== 'job' || on.job !== jobId || (on.outcome !== status && on.outcome !== 'finished')) continue
    fireEventJob(ctx, job, `job ${jobId} ${status}`)
  }
}
