// The API's operations on the scheduler's thread: reads of live state and mutations through Control. The HTTP
// worker calls them by name; inputs arrive already validated, roles of mutations are checked by Control.
import type { Actor } from '../access/roles.ts'
import type { AuditLog } from '../access/audit-log.ts'
import type { Control } from '../control/control.ts'
import { NotFoundError } from '../control/control-errors.ts'
import type { CircuitBreaker } from '../risk/circuit-breaker.ts'
import type { RiskManager } from '../risk/risk-manager.ts'
import type { Scheduler } from '../scheduler/index.ts'
import type { RunStatus } from '../scheduler/index.ts'
import { PRIORITIES } from '../scheduler/index.ts'
import { statusReport } from '../bot/report-views.ts'
import type { CentralScheduler } from '../bot/central-scheduler.ts'
import type { Housekeeper } from '../housekeeping/housekeeper.ts'
import { checkHealth, type HealthDeps } from './health.ts'

/** What the operations read and act on. */
export interface ApiDeps {
  scheduler: Scheduler
  breaker: CircuitBreaker
  risk: RiskManager
  facade?: CentralScheduler
  control: Control
  audit: AuditLog
  health: HealthDeps
  metrics?: { contentType: string; render(): Promise<string> }
  housekeeper?: Pick<Housekeeper, 'targets'>
}

/** A page request. */
export interface Page {
  limit: number
  cursor?: string
}
/** Filters of the runs list. */
export interface RunsQuery extends Page {
  job?: string
  status?: RunStatus
}

/** The operations and their arguments; reads take no actor (the worker checks `state.read`), mutations do. */
export interface ApiOps {
  health: () => unknown
  status: () => unknown
  jobs: (p: Page) => unknown
  job: (p: { id: string }) => unknown
  runs: (p: RunsQuery) => unknown
  run: (p: { id: string }) => unknown
  risk: () => unknown
  allocations: () => unknown
  audit: (p: Page) => unknown
  metrics: () => unknown
  runNow: (p: { jobId: string; args?: unknown }, a: Actor) => unknown
  setJobState: (p: { jobId: string; state: 'enable' | 'disable' | 'pause' | 'resume' }, a: Actor) => unknown
  pauseAll: (p: undefined, a: Actor) => unknown
  resumeAll: (p: undefined, a: Actor) => unknown
  tripBreaker: (p: { reason: string }, a: Actor) => unknown
  resetBreaker: (p: { reason: string }, a: Actor) => unknown
  loadPreset: (p: { name: string; replace?: boolean }, a: Actor) => unknown
  scheduleTask: (p: { job: unknown }, a: Actor) => unknown
  cancelTask: (p: { jobId: string; remove: boolean }, a: Actor) => unknown
  cleanupTargets: () => unknown
  registerCleanup: (p: { target: unknown }, a: Actor) => unknown
  runCleanup: (p: { dryRun?: boolean }, a: Actor) => unknown
}

/** One operation's name. */
export type OpName = keyof ApiOps

/** Builds the operations over the live runtime objects. */
export function createApiOps(deps: ApiDeps): ApiOps {
  const { scheduler, control } = deps
  const lastRun = (jobId: string) => scheduler.listRuns({ jobId, limit: 1 }).runs[0] ?? null
  return {
    health: () => checkHealth(deps.health),
    status: () => ({
      ...statusReport({ scheduler, breaker: deps.breaker, facade: deps.facade }, true),
      health: scheduler.health(),
    }),
    jobs: (p) => {
      const all = scheduler
        .listJobs()
        .sort((a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || a.id.localeCompare(b.id))
      const from = p.cursor ? Number(p.cursor) : 0
      const page = all.slice(from, from + p.limit)
      return {
        jobs: page.map((j) => ({ ...j, lastRun: lastRun(j.id) })),
        total: all.length,
        nextCursor: from + p.limit < all.length ? String(from + p.limit) : null,
      }
    },
    job: ({ id }) => {
      const j = scheduler.getJob(id)
      if (!j) throw new NotFoundError(`unknown job "${id.slice(0, 80)}"`, 'list jobs with GET /api/jobs')
      return {
        job: j,
        explanation: scheduler.explain(j.id),
        recentRuns: scheduler.listRuns({ jobId: j.id, limit: 10 }).runs,
      }
    },
    runs: (p) => scheduler.listRuns({ jobId: p.job, status: p.status, limit: p.limit, cursor: p.cursor }),
    run: ({ id }) => {
      const run = scheduler.getRun(id)
      if (!run) throw new NotFoundError(`unknown run "${id.slice(0, 40)}"`, 'list runs with GET /api/runs')
      return run
    },
    risk: () => ({
      assessment: deps.risk.latest(),
      breaker: deps.breaker.status(),
      breakerEvents: deps.breaker.events(20),
      market: deps.facade?.marketView() ?? null,
    }),
    allocations: () => {
      const jobs = scheduler.listJobs()
      return {
        rebalances: jobs
          .filter((j) => j.taskType === 'rebalance')
          .map((j) => {
            const run = scheduler.listRuns({ jobId: j.id, status: 'succeeded', limit: 1 }).runs[0]
            return { jobId: j.id, at: run?.endedAt ?? null, plan: run?.resultJson ? JSON.parse(run.resultJson) : null }
          }),
        allocationJobs: jobs.filter((j) => j.id.startsWith('allocate_')).map((j) => ({ ...j, lastRun: lastRun(j.id) })),
      }
    },
    audit: (p) => deps.audit.list({ limit: p.limit, cursor: p.cursor }),
    metrics: async () => {
      if (!deps.metrics) throw new NotFoundError('metrics are not enabled')
      return { contentType: deps.metrics.contentType, body: await deps.metrics.render() }
    },
    runNow: (p, a) => control.runNow(a, p.jobId, p.args),
    setJobState: (p, a) => ({ job: control.setJobState(a, p.jobId, p.state) }),
    pauseAll: (_p, a) => control.pauseAll(a),
    resumeAll: (_p, a) => control.resumeAll(a),
    tripBreaker: (p, a) => ({ breaker: control.tripBreaker(a, p.reason) }),
    resetBreaker: (p, a) => ({ breaker: control.resetBreaker(a, p.reason) }),
    loadPreset: (p, a) => control.loadPreset(a, p.name, { replace: p.replace }),
    scheduleTask: async (p, a) => ({ job: await control.scheduleTask(a, p.job) }),
    cancelTask: (p, a) => control.cancelTask(a, p.jobId, { remove: p.remove }),
    cleanupTargets: () => ({ targets: deps.housekeeper?.targets() ?? [] }),
    registerCleanup: (p, a) => ({ target: control.registerCleanup(a, p.target) }),
    runCleanup: (p, a) => control.runCleanup(a, { dryRun: p.dryRun }),
  }
}
