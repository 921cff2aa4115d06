// Deferred job-row writes: where the store derives job state from runs, a fire that enqueues a run and a run that
// finishes leave the job row alone (the run row is the durable fact); the rows of jobs that moved on are written
// together by a periodic checkpoint and at stop, at most once per job per period however often it runs.
import type { Ctx, JobState } from '../scheduler-state.ts'

/** How long a job row may lag its runs while the scheduler runs. */
export const ROW_CHECKPOINT_MS = 1_000
/** scheduler_state key: every job row holds every outcome numbered up to this value (where loading starts). */
export const OUTCOME_CHECKPOINT_KEY = 'outcome_checkpoint'

/** Notes that a job's row is behind its state in memory; the next checkpoint writes it (inline jobs have no row). */
export function markBehind(ctx: Ctx, job: JobState): void {
  if (!job.persistent) return
  ctx.behind.add(job)
  if (!ctx.rowCheckpoint) armRowCheckpoint(ctx)
}

/**
 * Schedules the next checkpoint while the triggers are armed. A scheduler that never started (a state view) does
 * not write rows it derived at load: a live bot beside it may be ahead of them.
 */
export function armRowCheckpoint(ctx: Ctx): void {
  if (ctx.rowCheckpoint || !ctx.timersOn || ctx.behind.size === 0) return
  ctx.rowCheckpoint = ctx.timeline.at(ctx.clock.now() + ROW_CHECKPOINT_MS, () => {
    ctx.rowCheckpoint = null
    writeBehindRows(ctx)
    ctx.kick()
  })
}

/** Queues the rows of the jobs that are behind, with the outcome number every row then holds (one batch). */
export function writeBehindRows(ctx: Ctx): void {
  ctx.rowCheckpoint?.cancel()
  ctx.rowCheckpoint = null
  if (ctx.behind.size === 0) return
  const now = ctx.clock.now()
  for (const job of ctx.behind) {
    if (ctx.jobs.get(job.rec.id) !== job) continue
    job.rec.updatedAt = now
    ctx.writes.job(job.rec)
  }
  ctx.behind.clear()
  // Rows written outside checkpoints hold their own jobs' outcomes already, so this holds for every row.
  ctx.writes.state(OUTCOME_CHECKPOINT_KEY, String(ctx.outcomeSeq))
  ctx.writes.finishedBelow(unfinishedFloor(ctx))
}

/**
 * The lowest run id that may be unfinished: every unfinished run is in memory (loading adopts or closes each one
 * it finds), except those this process left interrupted with their recovery pending; later runs get higher ids.
 */
function unfinishedFloor(ctx: Ctx): number {
  let floor = Math.min(ctx.lastRunId + 1, ctx.recoveryFloor)
  for (const id of ctx.runs.keys()) if (id < floor) floor = id
  return floor
}
