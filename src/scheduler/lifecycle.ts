// The whole-scheduler operations: arm the timers at start, run every job once (`bot --once`), the graceful stop.
import { topologicalOrder } from './jobs/dag.ts'
import { SchedulerError } from './errors.ts'
import { armRowCheckpoint, writeBehindRows } from './jobs/job-rows.ts'
import { exhausted } from './jobs/job-limits.ts'
import { armFire } from './jobs/jobs.ts'
import { recheckHeld } from './runs/dispatch.ts'
import {
  enqueue,
  finishRun,
  newRun,
  resolveDone,
  saveJob,
  whenDone,
  type Ctx,
  type RunState,
} from './scheduler-state.ts'
import type { OnceSummary } from './scheduler-types.ts'

/**
 * Arms every job's fire at start: a job that never fired and has no next fire time gets one from now (stored).
 * Held runs found at load are re-asked and the row checkpoint is armed.
 */
export function armAtStart(ctx: Ctx): void {
  const now = ctx.clock.now()
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
}

/**
 * Queues one run of every enabled job, dependencies first; dispatch then runs them in parallel where the DAG
 * allows (a run waits for its dependencies' runs). Resolves when all have finished, or the scheduler stopped.
 */
export async function runEveryJobOnce(ctx: Ctx, durable: <T>(fn: () => T) => T): Promise<OnceSummary> {
  const graph = new Map<string, readonly string[]>()
  for (const [id, j] of ctx.jobs) if (j.rec.enabled) graph.set(id, j.spec.dependencies)
  const runs = durable(() =>
    topologicalOrder(graph).map((id) => {
      const run = newRun(ctx, ctx.jobs.get(id)!, 'once', 'pending', { scheduledFor: ctx.clock.now() })
      enqueue(ctx, run)
      return run
    }),
  )
  ctx.kick()
  await Promise.all(runs.map(whenDone))
  const counts: OnceSummary['counts'] = {}
  for (const r of runs) counts[r.rec.status] = (counts[r.rec.status] ?? 0) + 1
  return {
    total: runs.length,
    counts,
    ok: runs.every((r) => r.rec.status === 'succeeded'),
    runs: runs.map((r) => ({
      jobId: r.rec.jobId,
      runId: String(r.rec.id),
      status: r.rec.status,
      error: r.rec.error,
      reason: r.rec.reason,
    })),
  }
}

/** How long a stop waits for aborted handlers to return before it records them interrupted and moves on. */
export const ABORTED_HANDLER_WAIT_MS = 5_000

/**
 * Waits for aborted runs to finish, at most ABORTED_HANDLER_WAIT_MS: a handler that ignores its abort must not hold
 * the stop past its grace. Such a run is recorded `interrupted` (recovery pending, so the next start reruns or
 * reconciles it) and detached, so its late outcome writes nothing.
 */
async function settleAborted(ctx: Ctx, runs: RunState[]): Promise<void> {
  if (runs.length === 0) return
  await new Promise<void>((resolve) => {
    const deadline = ctx.timeline.at(ctx.clock.now() + ABORTED_HANDLER_WAIT_MS, resolve)
    void Promise.all(runs.map(whenDone)).then(() => {
      deadline.cancel()
      resolve()
    })
  })
  for (const r of runs) {
    if (r.finished || !ctx.runs.has(r.rec.id)) continue
    ctx.log.warn(
      { jobId: r.rec.jobId, runId: r.rec.id },
      'handler did not return after its abort; recorded interrupted for recovery',
    )
    finishRun(ctx, r, 'interrupted', {
      reason: `shutdown: the handler did not return within ${ABORTED_HANDLER_WAIT_MS} ms of its abort`,
      recovery: 'pending',
    })
    r.detached = true
  }
}

/**
 * Stops: no new fires or starts; executing runs get `graceMs`, then are aborted and recorded `interrupted`
 * (recovery pending, so the next start applies their policy); waiting runs stay stored as they are; the
 * store is closed. Callers waiting on runs (runOnce) are released.
 */
export async function stopScheduler(ctx: Ctx, graceMs: number, recovering: Promise<void> | null): Promise<void> {
  ctx.stopping = true
  for (const job of ctx.jobs.values()) {
    job.fire?.cancel()
    job.fire = null
  }
  ctx.holdRecheck?.cancel()
  // Starts still committing on the store's writer thread settle now: they either start or go back to pending.
  try {
    ctx.writes.flush()
  } catch (err) {
    ctx.log.error({ err }, 'scheduler store write failed while stopping; retried once more before closing')
  }
  const executing = () =>
    [...ctx.runs.values()].filter((r) => r.rec.status === 'running' || r.rec.status === 'retrying')
  if (executing().length) {
    await new Promise<void>((resolve) => {
      const deadline = ctx.timeline.at(ctx.clock.now() + graceMs, resolve)
      void Promise.all(executing().map(whenDone)).then(() => {
        deadline.cancel()
        resolve()
      })
    })
  }
  const left: RunState[] = executing()
  for (const r of left) {
    r.shutdown = true
    r.controller?.abort(new SchedulerError('SCHEDULER_SHUTDOWN', 'the scheduler is shutting down; the run was aborted'))
  }
  await settleAborted(ctx, left)
  if (recovering) await recovering.catch(() => undefined)
  ctx.live = false
  ctx.timeline.pause()
  for (const r of ctx.runs.values()) resolveDone(r)
  // Only a scheduler that ran writes the rows it is ahead of: a state view's derived rows may be behind a live bot.
  if (recovering) writeBehindRows(ctx)
  try {
    ctx.writes.flush()
    // With the last state written, peers may take this instance's groups at once.
    ctx.cluster?.opts.coordinator.leave()
  } finally {
    // Closed even when the last write failed: the unwritten runs are found as running next start.
    ctx.opts.store.close()
  }
}
