// The API's routes: reads (optionally token-protected) and mutations (token, role, rate limit, audit) over Control.
import { z } from 'zod'
import type { Actor } from '../access/roles.ts'
import type { AuditLog } from '../access/audit-log.ts'
import type { Control } from '../control/control.ts'
import { NotFoundError } from '../control/control-errors.ts'
import type { CircuitBreaker } from '../risk/circuit-breaker.ts'
import type { RiskManager } from '../risk/risk-manager.ts'
import type { Scheduler } from '../scheduler/scheduler.ts'
import { PRIORITIES } from '../scheduler/store-port.ts'
import { statusReport } from '../bot/cli-views.ts'
import type { CentralScheduler } from '../bot/central-scheduler.ts'
import { checkHealth, type HealthDeps } from './health.ts'
import { createRouter, readJson, sendJson, validate, type Req } from './http-kit.ts'

/** What the routes read and act on. */
export interface ApiDeps {
  scheduler: Scheduler
  breaker: CircuitBreaker
  risk: RiskManager
  facade?: CentralScheduler
  control: Control
  audit: AuditLog
  health: HealthDeps
  metrics?: { contentType: string; render(): Promise<string> }
}

const RUN_STATUSES = ['pending', 'delayed', 'held', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'skipped', 'missed', 'interrupted', 'needs_attention'] as const
const limit = z.coerce.number({ error: 'expected an integer 1-500' }).int({ error: 'expected an integer 1-500' }).min(1, { error: 'expected an integer 1-500' }).max(500, { error: 'expected an integer 1-500' }).default(50)
const cursor = z.string().max(64, { error: 'expected the nextCursor of the previous page' }).regex(/^\d+$/, { error: 'expected the nextCursor of the previous page' }).optional()
const pageQuery = z.strictObject({ limit, cursor })
const runsQuery = z.strictObject({
  job: z.string().min(1).max(128).optional(),
  status: z.enum(RUN_STATUSES, { error: `expected one of ${RUN_STATUSES.join(', ')}` }).optional(),
  limit, cursor,
})
const runBody = z.strictObject({ args: z.unknown().optional() }).optional()
const reasonBody = z.strictObject({ reason: z.string({ error: 'expected a short reason text' }) })
const presetBody = z.strictObject({ replace: z.boolean({ error: 'expected true or false' }).optional() }).optional()
const cancelQuery = z.strictObject({ remove: z.enum(['true', 'false'], { error: 'expected true or false' }).optional() })

const q = (req: Req) => Object.fromEntries(req.query)

/** Read routes take the actor only to check `state.read` when reads are protected. */
export type Authed = (req: Req) => Actor

/** Builds the router: `reader(req)` resolves the actor for reads, `mutator(req)` for mutations (401/403/429 thrown). */
export function buildApiRouter(deps: ApiDeps, reader: Authed, mutator: Authed) {
  const { scheduler, control } = deps
  const r = createRouter()
  const read = (path: string, fn: (req: Req) => unknown) => r.add('GET', path, (req) => { control.assertCanRead(reader(req)); return fn(req) })
  const lastRun = (jobId: string) => scheduler.listRuns({ jobId, limit: 1 }).runs[0] ?? null

  r.add('GET', '/api/health', async (req, res) => {
    const h = await checkHealth(deps.health)
    sendJson(res, h.ready ? 200 : 503, h)
  })
  read('/api/status', () => ({ ...statusReport({ scheduler, breaker: deps.breaker, facade: deps.facade }, true), health: scheduler.health() }))
  read('/api/jobs', (req) => {
    const p = validate(pageQuery, q(req), 'query')
    const all = scheduler.listJobs().sort((a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || a.id.localeCompare(b.id))
    const from = p.cursor ? Number(p.cursor) : 0
    const page = all.slice(from, from + p.limit)
    return { jobs: page.map((j) => ({ ...j, lastRun: lastRun(j.id) })), total: all.length,
      nextCursor: from + p.limit < all.length ? String(from + p.limit) : null }
  })
  read('/api/jobs/:id', (req) => {
    const j = scheduler.getJob(req.params.id!)
    if (!j) throw new NotFoundError(`unknown job "${req.params.id!.slice(0, 80)}"`, 'list jobs with GET /api/jobs')
    return { job: j, explanation: scheduler.explain(j.id), recentRuns: scheduler.listRuns({ jobId: j.id, limit: 10 }).runs }
  })
  read('/api/runs', (req) => {
    const p = validate(runsQuery, q(req), 'query')
    return scheduler.listRuns({ jobId: p.job, status: p.status, limit: p.limit, cursor: p.cursor })
  })
  read('/api/risk', () => ({ assessment: deps.risk.latest(), breaker: deps.breaker.status(), breakerEvents: deps.breaker.events(20),
    market: deps.facade?.marketView() ?? null }))
  read('/api/allocations', () => {
    const rebalances = scheduler.listJobs().filter((j) => j.taskType === 'rebalance')
    return {
      rebalances: rebalances.map((j) => {
        const run = scheduler.listRuns({ jobId: j.id, status: 'succeeded', limit: 1 }).runs[0]
        return { jobId: j.id, at: run?.endedAt ?? null, plan: run?.resultJson ? JSON.parse(run.resultJson) : null }
      }),
      allocationJobs: scheduler.listJobs().filter((j) => j.id.startsWith('allocate_')).map((j) => ({ ...j, lastRun: lastRun(j.id) })),
    }
  })
  read('/api/audit', (req) => {
    const p = validate(pageQuery, q(req), 'query')
    return deps.audit.list({ limit: p.limit, cursor: p.cursor })
  })

  const mutate = (method: string, path: string, fn: (req: Req, actor: Actor, body: unknown) => unknown) =>
    r.add(method, path, async (req) => {
      const actor = mutator(req)
      return fn(req, actor, await readJson(req.raw))
    })
  mutate('POST', '/api/jobs/:id/run', (req, a, body) => control.runNow(a, req.params.id!, validate(runBody, body, 'body')?.args))
  for (const state of ['enable', 'disable', 'pause', 'resume'] as const) {
    mutate('PUT', `/api/jobs/:id/${state}`, (req, a) => ({ job: control.setJobState(a, req.params.id!, state) }))
  }
  mutate('POST', '/api/pause', (_req, a) => control.pauseAll(a))
  mutate('POST', '/api/resume', (_req, a) => control.resumeAll(a))
  mutate('POST', '/api/breaker/trip', (_req, a, body) => ({ breaker: control.tripBreaker(a, validate(reasonBody, body, 'body').reason) }))
  mutate('POST', '/api/breaker/reset', (_req, a, body) => ({ breaker: control.resetBreaker(a, validate(reasonBody, body, 'body').reason) }))
  mutate('POST', '/api/presets/:name', (req, a, body) => control.loadPreset(a, req.params.name!, validate(presetBody, body, 'body') ?? {}))
  mutate('POST', '/api/jobs', async (_req, a, body) => ({ job: await control.scheduleTask(a, body) }))
  mutate('DELETE', '/api/jobs/:id', (req, a) => control.cancelTask(a, req.params.id!, { remove: validate(cancelQuery, q(req), 'query').remove === 'true' }))
  return r
}
