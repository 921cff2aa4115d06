// The HTTP side of the operations server, in its own worker thread: sockets, parsing, tokens, rate limits,
// validation, caching and the dashboard files all run here, so hundreds of API clients never delay a trigger on
// the scheduler's thread. Live state and every mutation come from that thread by message.
import Database from 'better-sqlite3'
import { readlinkSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import type { Actor } from '../access/roles.ts'
import { createTokenStore } from '../access/token-store.ts'
import { createAuditLog } from '../access/audit-log.ts'
import { createSqliteSchedulerStore } from '../store/sqlite-scheduler-store.ts'
import type { Page, RunsQuery } from './api-ops.ts'
import { ControlError, ForbiddenError, UnauthorizedError } from '../control/control-errors.ts'
import { assertCanRead, toControlError } from '../control/control.ts'
import { buildApiRouter, type OpsClient } from './api-routes.ts'
import { createEventStream } from './event-stream.ts'
import { addHistoryRoutes } from './history-routes.ts'
import { addRunDetailRoute } from './run-routes.ts'
import { securityHeaders, sendError, sendJson, type Req } from './http-kit.ts'
import { createRateLimiter } from './rate-limit.ts'
import { createReadCache } from './read-cache.ts'
import { loadDashboardAssets } from './static-assets.ts'
import type { ToMain, ToWorker, WorkerConfig } from './worker-protocol.ts'

lowerThreadPriority()

const ANONYMOUS: Actor = { name: 'anonymous', role: null, source: 'http' }
const port = parentPort!
const cfg = workerData as WorkerConfig
const post = (m: ToMain) => port.postMessage(m)

// Read-only: the worker only verifies tokens; the scheduler's thread owns every write.
const db = new Database(cfg.dbPath, { readonly: true, fileMustExist: true })
db.pragma('busy_timeout = 5000')
const tokens = createTokenStore(db, cfg.envTokens)
const limiter = createRateLimiter(cfg.rateLimit)
const cache = createReadCache(cfg.cacheMs)
const events = createEventStream()
const assets = loadDashboardAssets()

let nextId = 1
const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>()
const call = (op: ToMain & { type: 'call' }) =>
  new Promise<unknown>((resolve, reject) => {
    pending.set(op.id, { resolve, reject })
    post(op)
  })
// History reads straight from the state file on this thread: committed rows, never the scheduler's thread's time.
const history = cfg.historyFromFile ? { runs: createSqliteSchedulerStore({ db }), audit: createAuditLog(db) } : null
const local = (op: string, args: unknown): Promise<unknown> | null => {
  if (!history) return null
  if (op === 'runs') {
    const q = args as RunsQuery
    return Promise.resolve(history.runs.listRuns({ jobId: q.job, status: q.status, limit: q.limit, cursor: q.cursor }))
  }
  if (op === 'audit') return Promise.resolve(history.audit.list(args as Page))
  return null
}
const ops: OpsClient = {
  read: (op, args, options) =>
    local(op, args) ??
    cache.get(`${op} ${JSON.stringify(args ?? null)}`, () => call({ type: 'call', id: nextId++, op, args }), options),
  mutate: async (op, args, actor) => {
    try {
      return await call({ type: 'call', id: nextId++, op, args, actor })
    } finally {
      cache.invalidate()
    }
  },
}

/** The token's actor: missing -> null; present but unknown -> 403 (the contract). */
const identify = (req: Req): Actor | null => {
  const h = req.raw.headers.authorization
  if (!h) return null
  const m = /^Bearer\s+(\S+)$/i.exec(h)
  const who = m ? tokens.verify(m[1]!) : null
  if (!who) throw new ForbiddenError('use this API', 'a valid token (bad or revoked token)')
  // An MCP bridge (`bot mcp`) says so, for the audit trail; it gets no more rights than its token's role.
  return { name: who.name, role: who.role, source: req.raw.headers['x-bot-client'] === 'mcp' ? 'mcp' : 'http' }
}
const reader = (req: Req): Actor => {
  const actor = identify(req) ?? (cfg.protectReads ? null : { ...ANONYMOUS, role: 'viewer' as const })
  if (!actor) throw new UnauthorizedError()
  assertCanRead(actor)
  return actor
}
const mutator = (req: Req): Actor => {
  let actor: Actor | null
  try {
    actor = identify(req)
    if (!actor) throw new UnauthorizedError()
  } catch (err) {
    post({
      type: 'audit',
      entry: {
        actor: ANONYMOUS,
        action: `http ${req.method} ${req.path}`,
        outcome: 'denied',
        detail: (err as Error).message,
      },
    })
    throw err
  }
  const limited = limiter.take(`token:${actor.name}`)
  if (!limited.ok) {
    post({
      type: 'audit',
      entry: {
        actor,
        action: `http ${req.method} ${req.path}`,
        outcome: 'rate_limited',
        detail: `retry after ${limited.retryAfterS} s`,
      },
    })
    throw Object.assign(
      new ControlError('RATE_LIMITED', 429, 'too many requests', `retry after ${limited.retryAfterS} s`),
      { retryAfterS: limited.retryAfterS },
    )
  }
  return actor
}
const router = buildApiRouter(ops, reader, mutator)
// Chart history is read here from the state file, like the run history: bounded queries, never the scheduler's thread.
addHistoryRoutes(router, reader, db, cfg.charts, undefined, cfg.reports)
addRunDetailRoute(router, reader, ops, db, cfg.reports)

async function handle(raw: IncomingMessage, res: ServerResponse) {
  securityHeaders(res)
  const url = new URL(raw.url ?? '/', 'http://localhost')
  const req: Req = {
    raw,
    method: raw.method ?? 'GET',
    path: url.pathname,
    params: {},
    query: url.searchParams,
    ip: raw.socket.remoteAddress ?? '?',
  }
  try {
    if (req.method === 'GET' && req.path === '/metrics') {
      if (cfg.protectReads) reader(req)
      // Scrapers poll every 15 s or so; rendering costs the scheduler's thread milliseconds, so at most every 5 s.
      const m = (await ops.read('metrics', undefined, { ignoreChanges: true, ttlMs: 5_000 })) as {
        contentType: string
        body: string
      }
      res.writeHead(200, { 'Content-Type': m.contentType })
      return void res.end(m.body)
    }
    if (req.method === 'GET' && req.path === '/api/events') {
      reader(req)
      return events.attach(res)
    }
    const asset = req.method === 'GET' ? assets.get(req.path) : undefined
    if (asset) {
      res.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' })
      return void res.end(asset.body)
    }
    const m = router.match(req.method, req.path)
    if (!('handler' in m)) {
      if (!req.path.startsWith('/api/'))
        return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no page at ${req.path}` } })
      return m.methodMismatch
        ? sendJson(res, 405, {
            error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed on ${req.path}` },
          })
        : sendJson(res, 404, {
            error: {
              code: 'NOT_FOUND',
              message: `no endpoint ${req.method} ${req.path}`,
              hint: 'see README "Operations API"',
            },
          })
    }
    req.params = m.params
    const out = await m.handler(req, res)
    if (!res.headersSent) sendJson(res, 200, out)
  } catch (err) {
    const e = toControlError(err)
    if (e.status >= 500 && !(err instanceof ControlError))
      post({ type: 'log', level: 'error', msg: `api request failed: ${(err as Error)?.message ?? String(err)}` })
    if (res.headersSent) return void res.end()
    const retry = (err as { retryAfterS?: number }).retryAfterS
    sendError(res, e, retry ? { 'Retry-After': String(retry) } : {})
  }
}

const server = createServer(
  { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 },
  (req, res) => void handle(req, res),
)
server.maxHeadersCount = 50

port.on('message', (m: ToWorker) => {
  if (m.type === 'result') {
    const p = pending.get(m.id)
    pending.delete(m.id)
    if (!p) return
    if (m.ok) p.resolve(m.value)
    else p.reject(new ControlError(m.error.code, m.error.status, m.error.message, m.error.hint, m.error.details))
  } else if (m.type === 'event') {
    cache.invalidate()
    events.broadcast(m.data)
  } else if (m.type === 'close') {
    events.close()
    server.close(() => {
      db.close()
      port.close()
    })
    server.closeAllConnections()
  }
})
server.once('error', (err) => post({ type: 'failed', message: err.message }))
server.listen(cfg.port, cfg.host, () => post({ type: 'ready', port: (server.address() as AddressInfo).port }))

/** On Linux, nices this thread only (its tid via /proc/thread-self): when CPUs are scarce, triggers on the
 * scheduler's thread win over API requests. Elsewhere, or if not permitted, the thread keeps its priority. */
function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isSafeInteger(tid) && tid !== process.pid) setPriority(tid, 10)
  } catch {
    // not Linux, or not permitted: nothing to do
  }
}
