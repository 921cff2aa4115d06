// The scheduler thread's side of the SQLite writer thread: queues encoded batches, which the thread commits in
// order, and settles each batch's promise with its outcome. A blocking drain serves the synchronous store port.
import { MessageChannel, Worker } from 'node:worker_threads'
import { AppError } from '../errors/app-error.ts'
import { blockForAnswers } from './blocking-answers.ts'
import type { EncodedBatch } from './sqlite-batch.mjs'

const WORKER = new URL('./sqlite-writer-worker.mjs', import.meta.url)
/** How long a blocking drain waits for the thread before it gives up (the thread's busy timeout is 5 s). */
const DRAIN_TIMEOUT_MS = 30_000

/** A writer thread for one database file. */
export interface SqliteWriter {
  /** Queues a batch; resolves once it is committed, rejects (nothing of it applied) when it failed. */
  submit(flat: EncodedBatch): Promise<void>
  /** Batches queued and not yet answered. */
  readonly inFlight: number
  /**
   * Blocks until every queued batch is answered (their promises settle on the next microtasks). A writer waits
   * with reportFailures (the default): it throws when a batch answered since the last such drain failed.
   */
  drainSync(options?: { reportFailures: boolean }): void
  /** Called once if the thread stops on its own (it crashed or was terminated), not after close(). */
  onStopped(fn: () => void): void
  /** Drains, then ends the thread and its connection. */
  close(): void
}

interface Waiter {
  seq: number
  resolve: () => void
  reject: (err: Error) => void
}

/** Starts the writer thread on `path` (an existing WAL database with migrations applied). */
export function startSqliteWriter(path: string, options: { checkpointMs: number | null }): SqliteWriter {
  const flag = new SharedArrayBuffer(4)
  const signal = new Int32Array(flag)
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(WORKER, {
    workerData: { path, flag, reply: port2, checkpointMs: options.checkpointMs },
    transferList: [port2],
    name: 'sqlite-writer',
    // It holds one batch of primitives at a time, all garbage once applied: a small heap (a 2 MB young generation,
    // ~3 MB less RSS than 8 MB with no measurable cost) keeps the thread's memory small. It is plain JavaScript: no
    // execArgv, so it does not load the parent's TypeScript hooks (~5 MB) for nothing.
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 },
  })
  worker.unref()
  const waiters: Waiter[] = []
  let seq = 0
  let dead: string | null = null
  let onStopped: (() => void) | null = null
  /** A batch failed since the last blocking drain: the next drain throws, so no caller takes it for durable. */
  let failedSinceDrain: string | null = null
  /** The last batch submitted when that failure was answered: a later batch carries its changes (put back by then). */
  let failedBefore = 0

  const stopped = (why: string) => `the SQLite writer thread stopped (${why})`
  const fail = (why: string) => {
    if (dead === null) {
      dead = why
      onStopped?.()
    }
    if (waiters.length) failedSinceDrain = stopped(why)
    for (const w of waiters.splice(0)) w.reject(storeWriteError(stopped(why)))
    port1.unref()
  }
  const settle = (m: { seq: number; error: string | null }) => {
    while (waiters.length && waiters[0]!.seq <= m.seq) {
      const w = waiters.shift()!
      if (w.seq === m.seq && m.error !== null) {
        failedSinceDrain = m.error
        failedBefore = seq
        w.reject(storeWriteError(m.error))
      } else {
        // Committed with the failed batch's changes in it: nothing of that failure is left to report.
        if (w.seq > failedBefore) failedSinceDrain = null
        w.resolve()
      }
    }
    if (!waiters.length) port1.unref()
  }
  port1.on('message', settle)
  port1.unref()
  worker.on('error', (err) => fail(err.message))
  worker.on('exit', (code) => fail(`exit code ${code}`))

  const drainSync = ({ reportFailures } = { reportFailures: true }) => {
    const answered = blockForAnswers<{ seq: number; error: string | null }>(port1, signal, {
      deadline: Date.now() + DRAIN_TIMEOUT_MS,
      awaitedSeq: () => waiters[0]?.seq ?? 0,
      done: () => waiters.length === 0 || dead !== null,
      onAnswer: settle,
    })
    if (!answered) throw storeWriteError(`the SQLite writer thread did not answer within ${DRAIN_TIMEOUT_MS} ms`)
    if (dead) fail(dead)
    if (reportFailures && failedSinceDrain !== null) {
      const why = failedSinceDrain
      failedSinceDrain = null
      throw storeWriteError(`an earlier batch failed (${why}); its changes are queued again`)
    }
  }
  return {
    submit(flat) {
      if (dead) return Promise.reject(storeWriteError(stopped(dead)))
      const s = ++seq
      // Batches in flight keep the process alive (their runs start when they commit); an idle writer does not.
      if (!waiters.length) port1.ref()
      return new Promise<void>((resolve, reject) => {
        waiters.push({ seq: s, resolve, reject })
        worker.postMessage({ seq: s, flat })
      })
    },
    onStopped(fn) {
      onStopped = fn
    },
    get inFlight() {
      return waiters.length
    },
    drainSync,
    close() {
      if (dead) return
      const s = ++seq
      const closed = new Promise<void>((resolve, reject) => waiters.push({ seq: s, resolve, reject }))
      closed.catch(() => undefined)
      worker.postMessage({ seq: s, close: true })
      try {
        drainSync({ reportFailures: false })
      } finally {
        dead = 'closed'
        port1.close()
        void worker.terminate()
      }
    },
  }
}

/** The error of a batch that was not applied (nothing of it was), here or on the writer thread. */
export function storeWriteError(detail: string, cause?: unknown): AppError {
  return new AppError('STORE_WRITE', `scheduler store write failed; nothing of the batch was applied: ${detail}`, {
    cause,
    retryable: true,
    hint: 'check disk space and that no other process holds a write lock on the state file',
  })
}
