// Several instances on one shared store: a job's runs exist only on the instance that holds its group's lease
// (a group joins jobs linked by dependencies, outcome triggers or a caller-given key such as a wallet), so
// maxInstances, dependency order and a wallet's sends stay on one instance. A heartbeat renews the leases and
// brings back what changed: groups taken over (their stored schedule state and unfinished runs), groups lost,
// manual runs handed over by peers, and controls (pause, priority...) made on peers.
import type { JobSpec } from './job-spec.ts'
import { adoptStoredRun } from './load-state.ts'
import { recoverInterrupted } from './recovery.ts'
import { armFire } from './jobs.ts'
import type { Scheduler } from './scheduler.ts'
import { resolveDone, unqueue, type Ctx, type JobState, type RunState } from './scheduler-state.ts'
import type { JobRecord, Priority, RunRecord } from './store-port.ts'

/** A control made on one instance that every other applies. `jobId` null means the whole scheduler. */
export interface ClusterControl {
  jobId: string | null
  action: 'pause' | 'resume' | 'enable' | 'disable' | 'priority'
  value?: string
}

/** A group this instance now holds, with its jobs' stored records and unfinished runs. */
export interface GainedGroup {
  group: string
  jobs: JobRecord[]
  runs: RunRecord[]
}

/** What one heartbeat brought back. */
export interface HeartbeatReport {
  gained: GainedGroup[]
  lost: string[]
  /** Runs peers created for groups this instance holds. */
  handoffs: RunRecord[]
  controls: ClusterControl[]
}

/** The shared store's side of clustering (PostgreSQL implements it). */
export interface ClusterCoordinator {
  readonly instanceId: string
  /** Makes the groups known (idempotent); a new group starts unowned. */
  register(groups: ReadonlyMap<string, readonly string[]>): void
  /** True when this instance holds the group's lease now; a group nobody holds is claimed on the spot. */
  owns(group: string): boolean
  /** Renews leases, takes over expired ones up to a fair share and gives back idle ones above it. */
  heartbeat(idle: ReadonlySet<string>): HeartbeatReport
  /** Passes a run created here (a runNow) to the owner of its group. */
  handOff(runId: number, group: string): void
  publish(control: ClusterControl): void
  /** Gives up every lease, so peers take over at once (clean stop). */
  leave(): void
}

/** Cluster settings of createScheduler. */
export interface ClusterOptions {
  coordinator: ClusterCoordinator
  /** Heartbeat period (default 1 s); the coordinator's lease must be several of these. */
  heartbeatMs?: number
  /** Extra grouping key of a job (jobs with the same key share a group), e.g. the wallet it sends from. */
  groupKey?: (spec: JobSpec) => string | null
}

/** The scheduler's cluster state. */
export interface ClusterState {
  opts: ClusterOptions
  groups: Map<string, string>
  dirty: boolean
  /** Set while a peer's control is applied here, so it is not published again. */
  applyingPeer: boolean
}

/** Creates the state; groups are computed on first use. */
export function createClusterState(opts: ClusterOptions): ClusterState {
  return { opts, groups: new Map(), dirty: true, applyingPeer: false }
}

/** Groups as connected components: jobs sharing a key, a dependency or an outcome trigger; named by their smallest key. */
function computeGroups(ctx: Ctx, cluster: ClusterState): Map<string, string> {
  const parent = new Map<string, string>()
  const find = (x: string): string => {
    let r = x
    while (parent.get(r) !== r) r = parent.get(r)!
    parent.set(x, r)
    return r
  }
  const union = (a: string, b: string) => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) (ra < rb ? parent.set(rb, ra) : parent.set(ra, rb))
  }
  const keyOf = (j: JobState) => cluster.opts.groupKey?.(j.spec) ?? `job:${j.rec.id}`
  for (const j of ctx.jobs.values()) {
    parent.set(keyOf(j), keyOf(j))
    parent.set(`job:${j.rec.id}`, `job:${j.rec.id}`)
  }
  for (const j of ctx.jobs.values()) {
    union(`job:${j.rec.id}`, keyOf(j))
    for (const d of j.spec.dependencies) if (ctx.jobs.has(d)) union(`job:${j.rec.id}`, `job:${d}`)
    const on = j.schedule.kind === 'event' ? (j.schedule.spec as { on: { kind: string; job?: string } }).on : null
    if (on?.kind === 'job' && on.job && ctx.jobs.has(on.job)) union(`job:${j.rec.id}`, `job:${on.job}`)
  }
  const out = new Map<string, string>()
  for (const id of ctx.jobs.keys()) out.set(id, find(`job:${id}`))
  return out
}

/** The group of a job (recomputed after jobs or dependencies changed). */
export function groupOf(ctx: Ctx, jobId: string): string {
  return ensureGroups(ctx).get(jobId) ?? `job:${jobId}`
}

/** Recomputes the groups when jobs or links changed, registering them with the coordinator. */
function ensureGroups(ctx: Ctx): Map<string, string> {
  const c = ctx.cluster!
  if (c.dirty) {
    c.groups = computeGroups(ctx, c)
    c.dirty = false
    const members = new Map<string, string[]>()
    for (const [job, g] of c.groups) (members.get(g) ?? members.set(g, []).get(g)!).push(job)
    c.opts.coordinator.register(members)
  }
  return c.groups
}

/** True unless several instances share the store and another one holds the job's group. */
export function ownsJob(ctx: Ctx, job: JobState): boolean {
  return !ctx.cluster || ctx.cluster.opts.coordinator.owns(groupOf(ctx, job.rec.id))
}

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
  // Stored state must be current before a group may be given back.
  ctx.writes.flush()
  const busy = new Set<string>()
  for (const run of ctx.runs.values()) busy.add(groupOf(ctx, run.job.rec.id))
  const idle = new Set<string>()
  for (const g of cluster.groups.values()) if (!busy.has(g)) idle.add(g)
  const report = cluster.opts.coordinator.heartbeat(idle)
  const lost = new Set(report.lost)
  if (lost.size) {
    for (const run of [...ctx.runs.values()]) {
      if (!lost.has(groupOf(ctx, run.job.rec.id))) continue
      ctx.log.warn({ runId: run.rec.id, jobId: run.rec.jobId }, 'this instance lost the lease of the run\'s group; the run is dropped here')
      run.controller?.abort(new Error('cluster lease lost'))
      detach(ctx, run)
    }
  }
  const interrupted: RunState[] = []
  for (const g of report.gained) {
    for (const rec of g.jobs) {
      const job = ctx.jobs.get(rec.id)
      if (!job) continue
      Object.assign(job.rec, { nextFireAt: rec.nextFireAt, lastFireAt: rec.lastFireAt, executions: rec.executions, lastOutcome: rec.lastOutcome })
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
export function startHeartbeat(ctx: Ctx, durable: (fn: () => void) => void, applyControl: (c: ClusterControl) => void): { cancel(): void } {
  let handle: { cancel(): void } | null = null
  let cancelled = false
  const beat = () => {
    try {
      durable(() => clusterHeartbeat(ctx, applyControl))
    } catch (err) {
      ctx.log.error({ err }, 'cluster heartbeat failed; will retry')
    }
    if (!ctx.stopping && !cancelled) handle = ctx.timeline.at(ctx.clock.now() + (ctx.cluster!.opts.heartbeatMs ?? 1_000), beat)
  }
  beat()
  return { cancel() { cancelled = true; handle?.cancel() } }
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
