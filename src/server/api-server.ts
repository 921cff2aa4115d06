// The bot's HTTP server: API, SSE, /metrics and the dashboard, loopback by default, bearer tokens for mutations.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Actor } from '../access/roles.ts'
import type { TokenStore } from '../access/token-store.ts'
import { ControlError, ForbiddenError, UnauthorizedError } from '../control/control-errors.ts'
import { toControlError } from '../control/control.ts'
import type { Logger } from '../logging/logger.ts'
import { buildApiRouter, type ApiDeps } from './api-routes.ts'
import { createEventStream } from './event-stream.ts'
import { securityHeaders, sendError, sendJson, type Req } from './http-kit.ts'
import { createRateLimiter, type RateLimitConfig } from './rate-limit.ts'
import { loadDashboardAssets } from './static-assets.ts'

/** Options of startApiServer. */
export interface ApiServerOptions extends ApiDeps {
  host: string
  /** 0 picks a free port. */
  port: number
  tokens: TokenStore
  /** Reads need a viewer token too. */
  protectReads: boolean
  rateLimit: RateLimitConfig
  logger: Logger
}

/** A listening server. */
export interface ApiServer {
  port: number
  url: string
  close(): Promise<void>
}

const ANONYMOUS: Actor = { name: 'anonymous', role: null, source: 'http' }

/** Starts listening; resolves once the port is bound. */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const limiter = createRateLimiter(o.rateLimit)
  const assets = loadDashboardAssets()
  const events = createEventStream(o.scheduler)
  /** The token's actor: missing -> null; present but unknown -> 403 (the contract). */
  const identify = (req: Req): Actor | null => {
    const h = req.raw.headers.authorization
    if (!h) return null
    const m = /^Bearer\s+(\S+)$/i.exec(h)
    const who = m ? o.tokens.verify(m[1]!) : null
    if (!who) throw new ForbiddenError('use this API', 'a valid token (bad or revoked token)')
    return { name: who.name, role: who.role, source: 'http' }
  }
  const reader = (req: Req): Actor => {
    const a = identify(req)
    if (a) return a
    if (o.protectReads) throw new UnauthorizedError()
    return { ...ANONYMOUS, role: 'viewer' }
  }
  const mutator = (req: Req): Actor => {
    let actor: Actor | null
    try {
      actor = identify(req)
      if (!actor) throw new UnauthorizedError()
    } catch (err) {
      o.audit.record({ actor: ANONYMOUS, action: `http ${req.method} ${req.path}`, outcome: 'denied', detail: (err as Error).message })
      throw err
    }
    const limited = limiter.take(`token:${actor.name}`)
    if (!limited.ok) {
      o.audit.record({ actor, action: `http ${req.method} ${req.path}`, outcome: 'rate_limited', detail: `retry after ${limited.retryAfterS} s` })
      throw Object.assign(new ControlError('RATE_LIMITED', 429, 'too many requests', `retry after ${limited.retryAfterS} s`), { retryAfterS: limited.retryAfterS })
    }
    return actor
  }
  const router = buildApiRouter(o, reader, mutator)

  async function handle(raw: IncomingMessage, res: ServerResponse) {
    securityHeaders(res)
    const url = new URL(raw.url ?? '/', 'http://localhost')
    const req: Req = { raw, method: raw.method ?? 'GET', path: url.pathname, params: {}, query: url.searchParams, ip: raw.socket.remoteAddress ?? '?' }
    try {
      if (req.method === 'GET' && req.path === '/metrics') {
        if (!o.metrics) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'metrics are not enabled' } })
        if (o.protectReads) reader(req)
        const body = await o.metrics.render()
        res.writeHead(200, { 'Content-Type': o.metrics.contentType })
        return void res.end(body)
      }
      if (req.method === 'GET' && req.path === '/api/events') {
        o.control.assertCanRead(reader(req))
        return events.attach(res)
      }
      const asset = req.method === 'GET' ? assets.get(req.path) : undefined
      if (asset) {
        res.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' })
        return void res.end(asset.body)
      }
      const m = router.match(req.method, req.path)
      if (!('handler' in m)) {
        if (!req.path.startsWith('/api/')) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no page at ${req.path}` } })
        return m.methodMismatch
          ? sendJson(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed on ${req.path}` } })
          : sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no endpoint ${req.method} ${req.path}`, hint: 'see README "Operations API"' } })
      }
      req.params = m.params
      const out = await m.handler(req, res)
      if (!res.headersSent) sendJson(res, 200, out)
    } catch (err) {
      const e = toControlError(err)
      if (e.status >= 500) o.logger.error({ err }, 'api request failed')
      if (res.headersSent) return void res.end()
      const retry = (err as { retryAfterS?: number }).retryAfterS
      sendError(res, e, retry ? { 'Retry-After': String(retry) } : {})
    }
  }

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => void handle(req, res))
  server.maxHeadersCount = 50
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as AddressInfo).port
  const host = o.host.includes(':') ? `[${o.host}]` : o.host
  return {
    port,
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      events.close()
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
