// Starts the operations server: HTTP runs in a worker thread (api-worker.ts); this side answers its calls with
// live state and Control, writes its audit entries, and forwards run events. Loopback unless configured.
import { Worker } from 'node:worker_threads'
import type { EnvToken } from '../access/token-store.ts'
import { toControlError } from '../control/control.ts'
import type { Logger } from '../logging/logger.ts'
import type { Scheduler } from '../scheduler/index.ts'
import { createApiOps, type ApiDeps } from './api-ops.ts'
import { onRunEvents } from './event-stream.ts'
import { createOpPacer } from './op-pacer.ts'
import type { RateLimitConfig } from './rate-limit.ts'
import type { ToMain, ToWorker, WorkerConfig } from './worker-protocol.ts'
import type { ChartSettings } from '../history/index.ts'
import type { ReportBook } from '../bot/report-format.ts'

/** Options of startApiServer. */
export interface ApiServerOptions extends ApiDeps {
  host: string
  /** 0 picks a free port. */
  port: number
  /** The state database file (the worker verifies tokens on its own read-only connection). */
  dbPath: string
  envTokens: EnvToken[]
  /** Reads need a viewer token too. */
  protectReads: boolean
  rateLimit: RateLimitConfig
  logger: Logger
  /** Longest a cached read answer is served (default 1000 ms; any state change drops it sooner). */
  cacheMs?: number
  /** The scheduler's runs live in `dbPath` (the SQLite store): the HTTP thread reads history there itself. */
  historyFromFile?: boolean
  /** Caps, budgets and explorer links for the dashboard's charts. */
  charts?: ChartSettings
  /** The address book transactions are formatted with in run details and the transactions table. */
  reports?: ReportBook
}

/** A listening server. */
export interface ApiServer {
  port: number
  url: string
  close(): Promise<void>
}

const WORKER = new URL('./api-worker-boot.mjs', import.meta.url)
const RESTART_DELAY_MS = 1_000

/** Starts the worker and resolves once it listens; a worker that dies later is restarted on the same port. */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const ops = createApiOps(o)
  // A burst of reads (each state change empties the worker's cache) must not stand between a trigger and its run.
  const pacer = createOpPacer({ nextWakeAt: () => o.scheduler.nextWakeAt() })
  let worker: Worker
  let closing = false
  let boundPort = o.port

  const answer = async (w: Worker, m: ToMain & { type: 'call' }) => {
    let reply: ToWorker
    try {
      const fn = ops[m.op] as (args: unknown, actor: unknown) => unknown
      reply = { type: 'result', id: m.id, ok: true, value: await fn(m.args, m.actor) }
    } catch (err) {
      const e = toControlError(err)
      if (e.status >= 500) o.logger.error({ err, op: m.op }, 'api operation failed')
      reply = {
        type: 'result',
        id: m.id,
        ok: false,
        error: { code: e.code, status: e.status, message: e.message, hint: e.hint, details: e.details },
      }
    }
    w.postMessage(reply)
  }

  const spawn = () =>
    new Promise<void>((resolve, reject) => {
      const config: WorkerConfig = {
        host: o.host,
        port: boundPort,
        protectReads: o.protectReads,
        rateLimit: o.rateLimit,
        dbPath: o.dbPath,
        envTokens: o.envTokens,
        cacheMs: o.cacheMs ?? 1_000,
        historyFromFile: o.historyFromFile ?? false,
        charts: o.charts,
        reports: o.reports,
      }
      const w = new Worker(WORKER, { workerData: config, name: 'api-http' })
      worker = w
      let ready = false
      w.on('message', (m: ToMain) => {
        if (m.type === 'call') pacer.push(() => void answer(w, m))
        else if (m.type === 'audit') o.audit.record(m.entry)
        else if (m.type === 'log') o.logger[m.level](m.msg)
        else if (m.type === 'ready') {
          ready = true
          boundPort = m.port
          resolve()
        } else if (m.type === 'failed')
          reject(new Error(`api server cannot listen on ${o.host}:${boundPort}: ${m.message}`))
      })
      w.on('error', (err) => {
        o.logger.error({ err }, 'api worker failed')
        if (!ready) reject(err)
      })
      w.on('exit', (code) => {
        if (closing || !ready) return
        o.logger.error({ code }, `api worker exited; restarting in ${RESTART_DELAY_MS} ms`)
        setTimeout(() => {
          if (!closing) spawn().catch((err) => o.logger.error({ err }, 'api worker restart failed'))
        }, RESTART_DELAY_MS).unref()
      })
    })

  const offEvents = onRunEvents(o.scheduler as Pick<Scheduler, 'on'>, (data) =>
    worker?.postMessage({ type: 'event', data } satisfies ToWorker),
  )
  try {
    await spawn()
  } catch (err) {
    offEvents()
    closing = true
    await worker!.terminate()
    throw err
  }
  const host = o.host.includes(':') ? `[${o.host}]` : o.host
  return {
    port: boundPort,
    url: `http://${host}:${boundPort}`,
    async close() {
      closing = true
      offEvents()
      const exited = new Promise((r) => worker.once('exit', r))
      worker.postMessage({ type: 'close' } satisfies ToWorker)
      const timer = setTimeout(() => void worker.terminate(), 3_000)
      await exited
      clearTimeout(timer)
    },
  }
}
