// Several instances on one shared store: a job's runs exist only on the instance that holds its group's lease
// (a group joins jobs linked by dependencies, outcome triggers or a caller-given key such as a wallet), so
// maxInstances, dependency order and a wallet's sends stay on one instance. A heartbeat renews the leases and
// brings back what changed: groups taken over (their stored schedule state and unfinished runs), groups lost,
// manual runs handed over by peers, and controls (pause, priority...) made on peers.
import { adoptStoredRun } from '../jobs/load-state.ts'
import { recoverInterrupted } from '../runs/recovery.ts'
import { armFire } from '../jobs/jobs.ts'
import type { Scheduler } from '../scheduler-api.ts'
import type { ClusterControl } from './cluster-types.ts'
import { ensureGroups, groupOf } from './cluster-groups.ts'
import { resolveDone, unqueue, type Ctx, type JobState, type RunState } from '../scheduler-state.ts'
import type { Priority } from '../store/store-port.ts'

/** Publishes a control change made here (not one being applied from a peer). */
export function publishControl(ctx: Ctx, control: ClusterControl): void {
  if (ctx.cluster && !ctx.cluster.applyingPeer) ctx.cluster.opts.coordinator.publish(control)
}

/** Passes a just-created run to its group's owner: it is written, then forgotten here. */
export function handOffRun(ctx: Ctx, run: RunState): void {
  detach(ctx, run)
  ctx.writes.handOff(run.rec)
  ctx.writes.flush()
  ctx.cluster!.opts.coordinator.handOff(run.rec.id, groupOf(ctx, run.job.rec.id))
}

/** Drops a run from this instance without writing it again (its group now belongs to a peer). */
function detach(ctx: Ctx, run: RunState): void {
  unqueue(ctx, run)
  run.detached = true
  run.job.active.delete(run)
  ctx.runs.delete(run.rec.id)
  resolveDone(run)
}

/**
 * One heartbeat: applies lost groups (their runs are aborted and dropped here: the new owner recovers them),
 * gained groups (stored schedule state replaces the local one; runs found executing go through the recovery
 * policy), hand-offs and peers' controls. `applyControl` runs the scheduler's own control with publishing off.
 */
function clusterHeartbeat(ctx: Ctx, applyControl: (c: ClusterControl) => void): void {
  const cluster = ctx.cluster!
  ensureGroups(ctx)
  const busy = new Set<string>()
  for (const run of ctx.runs.values()) busy.add(groupOf(ctx, run.job.rec.id))
  const idle = new Set<string>()
  for (const g of cluster.groups.values()) if (!busy.has(g)) idle.add(g)
  // Stored state must be current before a group may be given back; only then does the beat wait for a flush.
  const report = cluster.opts.coordinator.heartbeat(idle, () => ctx.writes.flush())
  const lost = new Set(report.lost)
  if (lost.size) {
    for (const run of [...ctx.runs.values()]) {
      if (!lost.has(groupOf(ctx, run.job.rec.id))) continue
      ctx.log.warn(
        { runId: run.rec.id, jobId: run.rec.jobId },
        "this instance lost the lease of the run's group; the run is dropped here",
      )
      run.controller?.abort(new Error('cluster lease lost'))
      detach(ctx, run)
    }
  }
  const interrupted: RunState[] = []
  for (const g of report.gained) {
    for (const rec of g.jobs) {
      const job = ctx.jobs.get(rec.id)
      if (!job) continue
      Object.assign(job.rec, {
        nextFireAt: rec.nextFireAt,
        lastFireAt: rec.lastFireAt,
        executions: rec.executions,
        lastOutcome: rec.lastOutcome,
      })
      armFire(ctx, job)
    }
    for (const rec of g.runs) if (!ctx.runs.has(rec.id)) adoptStoredRun(ctx, rec, interrupted)
  }
  for (const rec of report.handoffs) if (!ctx.runs.has(rec.id)) adoptStoredRun(ctx, rec, interrupted)
  cluster.applyingPeer = true
  try {
    for (const c of report.controls) {
      try {
        applyControl(c)
      } catch (err) {
        ctx.log.warn({ err, control: c }, 'a control made on another instance could not be applied here')
      }
    }
  } finally {
    cluster.applyingPeer = false
  }
  if (interrupted.length) void recoverInterrupted(ctx, interrupted)
  ctx.kick()
}

/** Beats now and every heartbeatMs until cancelled; a failed beat is logged (leases then lapse and peers take over). */
export function startHeartbeat(
  ctx: Ctx,
  durable: (fn: () => void) => void,
  applyControl: (c: ClusterControl) => void,
): { cancel(): void } {
  let handle: { cancel(): void } | null = null
  let cancelled = false
  const coordinator = ctx.cluster!.opts.coordinator
  const next = () => {
    if (!ctx.stopping && !cancelled)
      handle = ctx.timeline.at(ctx.clock.now() + (ctx.cluster!.opts.heartbeatMs ?? 1_000), beat)
  }
  // The first beat's changes are durable before start returns. Later beats leave theirs to the loop's next batch
  // (clusterHeartbeat kicks it), which commits without blocking this thread, as every other loop change does: a
  // blocking flush here would also wait for every batch in flight.
  let first = true
  const apply = () => {
    if (ctx.stopping || cancelled) return
    try {
      if (first || !coordinator.prepareBeat) durable(() => clusterHeartbeat(ctx, applyControl))
      else clusterHeartbeat(ctx, applyControl)
    } catch (err) {
      ctx.log.error({ err }, 'cluster heartbeat failed; will retry')
    }
    next()
  }
  // After the first beat (blocking, at start), the shared state is read off this thread when the coordinator can.
  const beat = () => {
    if (first || !coordinator.prepareBeat) {
      apply()
      first = false
      return
    }
    coordinator.prepareBeat().then(apply, (err: unknown) => {
      // A read cut short by a stop (the store closing) is no failure worth reporting.
      if (ctx.stopping || cancelled) return
      ctx.log.error({ err }, 'cluster heartbeat failed; will retry')
      next()
    })
  }
  beat()
  return {
    cancel() {
      cancelled = true
      handle?.cancel()
    },
  }
}

/** Applies a peer's control through the scheduler's own API (publishing is off while it runs). */
export function applyControl(s: Scheduler, c: ClusterControl): void {
  const id = c.jobId ?? undefined
  if (id !== undefined && !s.getJob(id)) return
  if (c.action === 'pause') s.pause(id)
  else if (c.action === 'resume') s.resume(id)
  else if (c.action === 'enable' && id) s.enable(id)
  else if (c.action === 'disable' && id) s.disable(id)
  else if (c.action === 'priority' && id && c.value) s.setPriority(id, c.value as Priority)
}
