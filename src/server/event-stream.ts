// Server-sent events of run state changes for the dashboard; slow clients are dropped, never buffered forever.
import type { ServerResponse } from 'node:http'
import type { Scheduler } from '../scheduler/index.ts'
import type { RunEventData } from './worker-protocol.ts'

const EVENTS = [
  'started',
  'succeeded',
  'failed',
  'retrying',
  'cancelled',
  'missed',
  'delayed',
  'held',
  'skipped',
  'interrupted',
  'needs_attention',
] as const

/** Calls `fn` with each run state change of the scheduler; returns the unsubscribe function. */
export function onRunEvents(scheduler: Pick<Scheduler, 'on'>, fn: (data: RunEventData) => void): () => void {
  const offs = EVENTS.map((e) =>
    scheduler.on(e, (p) =>
      fn({
        event: e,
        jobId: p.jobId,
        runId: p.runId,
        status: p.run.status,
        at: Date.now(),
        reason: 'reason' in p ? p.reason : 'error' in p ? p.error : null,
      }),
    ),
  )
  return () => {
    for (const off of offs) off()
  }
}

/** Fans run events out to the attached SSE clients. */
export interface EventStream {
  attach(res: ServerResponse): void
  broadcast(data: RunEventData): void
  readonly clients: number
  close(): void
}

/** Creates the stream; a ping every 15 s keeps proxies from closing idle connections. */
export function createEventStream(): EventStream {
  const clients = new Set<ServerResponse>()
  const ping = setInterval(() => {
    for (const res of clients) res.write(': ping\n\n')
  }, 15_000)
  ping.unref()
  return {
    attach(res) {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      })
      res.write('retry: 2000\n\n')
      clients.add(res)
      res.on('close', () => clients.delete(res))
    },
    broadcast(data) {
      const line = `event: run\ndata: ${JSON.stringify(data)}\n\n`
      for (const res of clients) {
        // A client that cannot keep up is cut off: its buffer would otherwise grow without bound.
        if (res.writableLength > 1_000_000) {
          clients.delete(res)
          res.destroy()
          continue
        }
        res.write(line)
      }
    },
    get clients() {
      return clients.size
    },
    close() {
      clearInterval(ping)
      for (const res of clients) res.end()
      clients.clear()
    },
  }
}
