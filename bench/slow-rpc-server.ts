// A local RPC-like HTTP server for benches: answers each JSON-RPC call after a delay of 50-200 ms that depends only
// on the call's id (so every configuration of a bench waits on the same work), and counts calls per id.
import { createServer, type Server } from 'node:http'

/** A running server: its URL, how often each call id was answered, and when each id was last answered. */
export interface SlowRpc {
  url: string
  calls: Map<string, number>
  /** Epoch ms of the last answer per call id (a run's last call answered marks its end, for windowed rates). */
  answeredAt: Map<string, number>
  close(): Promise<void>
}

/** The delay (ms) of a call id: FNV-1a of the id, spread over [minMs, maxMs]. */
export function delayOf(id: string, minMs = 50, maxMs = 200): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0
  return minMs + (h % (maxMs - minMs + 1))
}

/** Starts the server on a free 127.0.0.1 port. */
export async function startSlowRpc(): Promise<SlowRpc> {
  const calls = new Map<string, number>()
  const answeredAt = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (b: Buffer) => (body += b.toString()))
    req.on('end', () => {
      let id = ''
      try {
        id = String((JSON.parse(body) as { id: unknown }).id)
      } catch {
        res.writeHead(400).end('{"error":"body must be a JSON-RPC request with an id"}')
        return
      }
      calls.set(id, (calls.get(id) ?? 0) + 1)
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ jsonrpc: '2.0', id, result: '0x1' }))
        answeredAt.set(id, Date.now())
      }, delayOf(id))
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    answeredAt,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
