// Small HTTP helpers: a method+path router with params, JSON bodies with a size cap, typed error answers.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import { ControlError, InvalidInputError } from '../control/control-errors.ts'

/** A request as route handlers see it. */
export interface Req {
  raw: IncomingMessage
  method: string
  path: string
  params: Record<string, string>
  query: URLSearchParams
  /** The client's address (for rate limits). */
  ip: string
}

/** A handler answers with a value (sent as JSON 200) or writes the response itself and returns undefined. */
export type Handler = (req: Req, res: ServerResponse) => unknown | Promise<unknown>

interface Route {
  method: string
  parts: string[]
  handler: Handler
}

/** Exact-segment router; `:name` segments capture a param. */
export function createRouter() {
  const routes: Route[] = []
  return {
    add(method: string, pattern: string, handler: Handler) {
      routes.push({ method, parts: pattern.split('/').filter(Boolean), handler })
    },
    /** The matching route and its params; `methodMismatch` when the path exists under another method. */
    match(
      method: string,
      path: string,
    ): { handler: Handler; params: Record<string, string> } | { methodMismatch: boolean } {
      const segs = path.split('/').filter(Boolean)
      let mismatch = false
      for (const r of routes) {
        if (r.parts.length !== segs.length) continue
        const params: Record<string, string> = {}
        const ok = r.parts.every((p, i) =>
          p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(segs[i]!)), true) : p === segs[i],
        )
        if (!ok) continue
        if (r.method !== method) {
          mismatch = true
          continue
        }
        return { handler: r.handler, params }
      }
      return { methodMismatch: mismatch }
    },
  }
}

/** Headers every answer carries: no sniffing, no framing, a self-only CSP (inline styles allowed: cytoscape sets them; scripts stay self-only). */
export function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  )
}

/** Sends a JSON body (bigints as decimal strings). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers })
  res.end(text)
}

/** Sends a typed error as `{ error: { code, message, hint, details } }`. */
export function sendError(res: ServerResponse, err: ControlError, headers: Record<string, string> = {}): void {
  sendJson(
    res,
    err.status,
    { error: { code: err.code, message: err.message, hint: err.hint, details: err.details } },
    headers,
  )
}

const MAX_BODY = 64 * 1024

/** Reads a JSON body (empty -> undefined); too large or not JSON is a 400 that says so. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req) {
    size += (c as Buffer).length
    if (size > MAX_BODY) throw new InvalidInputError(`body: larger than ${MAX_BODY} bytes`, 'send a smaller JSON body')
    chunks.push(c as Buffer)
  }
  if (size === 0) return undefined
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new InvalidInputError('body: not valid JSON', 'send Content-Type: application/json with a JSON body')
  }
}

/** Validates with zod; the 400 names each bad field and what was expected. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, where: 'query' | 'body'): T {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const issues = r.error.issues.map((i) => ({ field: [where, ...i.path].join('.'), message: i.message }))
  throw new InvalidInputError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), undefined, { issues })
}
