// Job groups of a cluster: which jobs share a lease, and whether this instance holds a job's group now.
import type { ClusterState } from './cluster-types.ts'
import type { Ctx, JobState } from '../scheduler-state.ts'

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
    if (ra !== rb) ra < rb ? parent.set(rb, ra) : parent.set(ra, rb)
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
export function ensureGroups(ctx: Ctx): Map<string, string> {
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
