// The API's routes in the HTTP worker: validate the request, check the token, then call the operation by name on
// the scheduler's thread (reads through the cache, mutations always).
import { z } from 'zod'
import type { Actor } from '../access/roles.ts'
import { RUN_STATUSES } from '../scheduler/index.ts'
import type { ApiOps, OpName } from './api-ops.ts'
import type { ReadOptions } from './read-cache.ts'
import { createRouter, readJson, sendJson, validate, type Req } from './http-kit.ts'

const limit = z.coerce
  .number({ error: 'expected an integer 1-500' })
  .int({ error: 'expected an integer 1-500' })
  .min(1, { error: 'expected an integer 1-500' })
  .max(500, { error: 'expected an integer 1-500' })
  .default(50)
const cursor = z
  .string()
  .max(64, { error: 'expected the nextCursor of the previous page' })
  .regex(/^\d+$/, { error: 'expected the nextCursor of the previous page' })
  .optional()
const pageQuery = z.strictObject({ limit, cursor })
const runsQuery = z.strictObject({
  job: z.string().min(1).max(128).optional(),
  status: z.enum(RUN_STATUSES, { error: `expected one of ${RUN_STATUSES.join(', ')}` }).optional(),
  limit,
  cursor,
})
const runBody = z.strictObject({ args: z.unknown().optional() }).optional()
const reasonBody = z.strictObject({ reason: z.string({ error: 'expected a short reason text' }) })
const presetBody = z.strictObject({ replace: z.boolean({ error: 'expected true or false' }).optional() }).optional()
const cleanupRunBody = z.strictObject({ dryRun: z.boolean({ error: 'expected true or false' }).optional() }).optional()
const cancelQuery = z.strictObject({
  remove: z.enum(['true', 'false'], { error: 'expected true or false' }).optional(),
})

const q = (req: Req) => Object.fromEntries(req.query)

/** How routes reach the operations: `read` may answer from the cache, `mutate` always goes through. */
export interface OpsClient {
  read<K extends OpName>(op: K, args?: Parameters<ApiOps[K]>[0], options?: ReadOptions): Promise<unknown>
  mutate<K extends OpName>(op: K, args: Parameters<ApiOps[K]>[0], actor: Actor): Promise<unknown>
}

/** Resolves the request's actor, throwing 401/403 (and 429 for mutations). */
export type Authed = (req: Req) => Actor

/** Builds the router: `reader(req)` authorizes reads (state.read), `mutator(req)` mutations. */
export function buildApiRouter(ops: OpsClient, reader: Authed, mutator: Authed) {
  const r = createRouter()
  const read = (path: string, fn: (req: Req) => Promise<unknown>) =>
    r.add('GET', path, (req) => {
      reader(req)
      return fn(req)
    })

  r.add('GET', '/api/health', async (_req, res) => {
    const h = (await ops.read('health', undefined, { ignoreChanges: true })) as { ready: boolean }
    sendJson(res, h.ready ? 200 : 503, h)
  })
  r.add('GET', '/api/whoami', (req) => {
    const a = reader(req)
    return { name: a.name, role: a.role }
  })
  read('/api/status', () => ops.read('status'))
  read('/api/jobs', (req) => ops.read('jobs', validate(pageQuery, q(req), 'query')))
  read('/api/jobs/:id', (req) => ops.read('job', { id: req.params.id! }))
  read('/api/runs', (req) => ops.read('runs', validate(runsQuery, q(req), 'query')))
  read('/api/risk', () => ops.read('risk'))
  read('/api/allocations', () => ops.read('allocations'))
  read('/api/audit', (req) => ops.read('audit', validate(pageQuery, q(req), 'query')))
  read('/api/cleanup', () => ops.read('cleanupTargets'))

  const mutate = (method: string, path: string, fn: (req: Req, actor: Actor, body: unknown) => Promise<unknown>) =>
    r.add(method, path, async (req) => {
      const actor = mutator(req)
      return fn(req, actor, await readJson(req.raw))
    })
  mutate('POST', '/api/jobs/:id/run', (req, a, body) =>
    ops.mutate('runNow', { jobId: req.params.id!, args: validate(runBody, body, 'body')?.args }, a),
  )
  for (const state of ['enable', 'disable', 'pause', 'resume'] as const) {
    mutate('PUT', `/api/jobs/:id/${state}`, (req, a) => ops.mutate('setJobState', { jobId: req.params.id!, state }, a))
  }
  mutate('POST', '/api/pause', (_req, a) => ops.mutate('pauseAll', undefined, a))
  mutate('POST', '/api/resume', (_req, a) => ops.mutate('resumeAll', undefined, a))
  mutate('POST', '/api/breaker/trip', (_req, a, body) =>
    ops.mutate('tripBreaker', validate(reasonBody, body, 'body'), a),
  )
  mutate('POST', '/api/breaker/reset', (_req, a, body) =>
    ops.mutate('resetBreaker', validate(reasonBody, body, 'body'), a),
  )
  mutate('POST', '/api/presets/:name', (req, a, body) =>
    ops.mutate('loadPreset', { name: req.params.name!, ...validate(presetBody, body, 'body') }, a),
  )
  mutate('POST', '/api/jobs', (_req, a, body) => ops.mutate('scheduleTask', { job: body }, a))
  mutate('POST', '/api/cleanup/targets', (_req, a, body) => ops.mutate('registerCleanup', { target: body }, a))
  mutate('POST', '/api/cleanup/run', (_req, a, body) =>
    ops.mutate('runCleanup', validate(cleanupRunBody, body, 'body') ?? {}, a),
  )
  mutate('DELETE', '/api/jobs/:id', (req, a) =>
    ops.mutate(
      'cancelTask',
      { jobId: req.params.id!, remove: validate(cancelQuery, q(req), 'query').remove === 'true' },
      a,
    ),
  )
  return r
}
