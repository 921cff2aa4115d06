// A local HTTP receiver on 127.0.0.1 standing in for a webhook, Telegram, Discord or Slack endpoint.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the receiver got. */
export interface Received {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** Whether the answer reached the client (false when the client went away before the reply). */
  answered: boolean
}

/** A running receiver. */
export interface Receiver {
  url: string
  requests: Received[]
  /** Answers with this status (and optional delay) for the next request; default 200 immediately. */
  respond: (req: Received, index: number) => { status: number; delayMs?: number; headers?: Record<string, string> }
  onRequest?: (req: Received) => void
  close(): Promise<void>
}

/** Starts a receiver on a free port; `close()` always ends open sockets. */
export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = []
  let server: Server
  const rx: Receiver = {
    url: '',
    requests,
    respond: () => ({ status: 200 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  // A client that went away (FIN) before the reply never got it: the reply is not sent and not counted.
  const gone = new WeakSet<object>()
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answered: false,
      }
      const index = requests.push(r) - 1
      rx.onRequest?.(r)
      const a = rx.respond(r, index)
      const reply = () => {
        if (req.socket.destroyed || gone.has(req.socket)) return
        r.answered = true
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers })
        res.end(JSON.stringify({ ok: a.status < 300 }))
      }
      if (a.delayMs) setTimeout(reply, a.delayMs)
      else reply()
    })
  })
  server.on('connection', (s) => {
    s.on('end', () => gone.add(s))
    s.on('close', () => gone.add(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  rx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return rx
}
