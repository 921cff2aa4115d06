// Background WAL checkpoints: the writing connection turns its automatic checkpoints off (each one fsyncs on the
// writer's thread: the scheduler's p99 trigger lag went from ~14 ms to ~3 ms without them) and a worker thread
// with its own connection checkpoints when writes pause (wal-checkpoints.mjs). If the worker fails, automatic
// checkpoints come back on.
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { Db } from './database.ts'

const WORKER = new URL('./checkpoint-worker.mjs', import.meta.url)
/** SQLite's default: a checkpoint once the WAL holds this many pages. */
const DEFAULT_AUTOCHECKPOINT = 1_000

/** A running checkpointer. */
export interface Checkpointer {
  /** Runs a last checkpoint and ends the worker. */
  stop(): Promise<void>
}

/** Starts background checkpoints for `db` (a file in WAL mode); a `:memory:` database needs none. */
export function startCheckpointer(db: Db, options: { intervalMs?: number; logger?: Logger } = {}): Checkpointer {
  if (db.memory) return { stop: () => Promise.resolve() }
  let stopped = false
  const fallBack = (why: string) => {
    if (stopped || !db.open) return
    db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`)
    options.logger?.warn({ why }, 'background WAL checkpoints stopped; the writer checkpoints itself again')
  }
  db.pragma('wal_autocheckpoint = 0')
  const worker = new Worker(WORKER, {
    workerData: { path: db.name, intervalMs: options.intervalMs ?? 1_000 },
    name: 'sqlite-checkpoint',
    // It only calls one pragma a second: a small heap (and no TypeScript hooks: plain JavaScript) keeps it small.
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8, stackSizeMb: 1 },
  })
  worker.unref()
  let resolveStopped: (() => void) | null = null
  worker.on('message', (m: { error?: string; stopped?: boolean }) => {
    if (m.error) options.logger?.debug({ error: m.error }, 'background WAL checkpoint failed; retrying next interval')
    if (m.stopped) resolveStopped?.()
  })
  worker.on('error', (err) => fallBack(err.message))
  worker.on('exit', () => {
    resolveStopped?.()
    fallBack('the checkpoint worker exited')
  })
  return {
    stop() {
      if (stopped) return Promise.resolve()
      stopped = true
      return new Promise<void>((resolve) => {
        resolveStopped = resolve
        worker.postMessage('stop')
        // A worker that does not answer is not waited for: the writer's own close checkpoints anyway.
        setTimeout(() => {
          void worker.terminate()
          resolve()
        }, 2_000).unref()
      })
    },
  }
}
