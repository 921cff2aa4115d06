// Synchronous PostgreSQL for the scheduler's synchronous store port: `pg` runs in a worker thread and this thread
// blocks (Atomics.wait) for one round trip per call. Transactions may also be submitted without blocking (the
// scheduler's batches): the worker answers every call in the order sent, so a later blocking call sees them.
import { MessageChannel, Worker } from 'node:worker_threads'
import { AppError } from '../../errors/app-error.ts'
import { blockForAnswers } from '../blocking-answers.ts'
import { registerSecret } from '../../logging/redact.ts'

/** One statement with positional parameters ($1, $2...). */
export interface PgStatement {
  sql: string
  params?: readonly unknown[]
  /**
   * The text recurs (its shape, not its rows, sets it): the worker prepares it once on its connection and then only
   * binds and executes it, which skips the server's parse and plan on every call.
   */
  prepare?: true
}

/** A request to the worker. */
export type PgRequest =
  | { op: 'query'; sql: string; params?: readonly unknown[] }
  /** `grouped`: a submitted transaction, which may commit together with the submitted ones queued next to it. */
  | { op: 'tx'; statements: readonly PgStatement[]; isolation?: 'serializable'; grouped?: true }
  | { op: 'close' }

/** The worker's answer. */
export type PgReply =
  { ok: true; rows: unknown[]; rowCount: number } | { ok: false; message: string; code: string | null }
/** A request and its reply carry the call's sequence number, which the worker also stores in the shared flag. */
export type PgEnvelope<T> = T & { seq: number }

/** A blocking PostgreSQL connection. */
export interface SyncPg {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): T[]
  /** Runs the statements in one transaction (all or nothing); returns the affected row count and the last rows. */
  transaction(
    statements: readonly PgStatement[],
    options?: { serializable?: boolean },
  ): { rowCount: number; rows: unknown[] }
  /**
   * Sends a transaction without blocking; resolves when it committed, rejects (nothing applied) when it failed.
   * Calls are answered in the order sent, whether blocking or not.
   */
  submitTransaction(statements: readonly PgStatement[]): Promise<{ rowCount: number; rows: unknown[] }>
  /** Sends a query without blocking (in order with every other call); its failure is its caller's alone. */
  submitQuery<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>
  /**
   * Blocks until every submitted transaction is answered; throws when one failed since the last drain (its
   * rejection reaches its caller on the next microtasks).
   */
  drain(): void
  close(): void
}

/** A failed statement; `code` is PostgreSQL's SQLSTATE (e.g. 40001 serialization failure). */
export class PgError extends AppError {
  constructor(
    message: string,
    readonly sqlState: string | null,
  ) {
    super('PG_ERROR', message, {
      retryable: sqlState === '40001' || sqlState === '40P01' || sqlState?.startsWith('08') === true,
    })
  }
}

/** A PostgreSQL URL's secrets are its password and password-like query values; user and database names are not
 * (registering "postgres" would redact the word everywhere). */
function registerPgUrlSecrets(url: string): void {
  try {
    const u = new URL(url)
    if (u.password) registerSecret(decodeURIComponent(u.password))
    for (const [k, v] of u.searchParams) if (/pass|key|secret|token/i.test(k)) registerSecret(v)
  } catch {
    registerSecret(url)
  }
}

/** A submitted transaction's settlement. */
interface Submitted {
  resolve(r: { rows: unknown[]; rowCount: number }): void
  reject(err: Error): void
  timer: NodeJS.Timeout
  /** A failed write fails the next drain; a failed read only its own caller. */
  write: boolean
}

const BOOT = new URL('./pg-worker-boot.mjs', import.meta.url)

/** Opens the connection (in its own thread); `timeoutMs` bounds every call. The URL is registered as a secret. */
export function createSyncPg(url: string, timeoutMs = 30_000): SyncPg {
  registerPgUrlSecrets(url)
  const flag = new SharedArrayBuffer(4)
  const signal = new Int32Array(flag)
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(BOOT, { workerData: { url, flag, reply: port2 }, transferList: [port2], name: 'pg-store' })
  worker.unref()
  let closed = false
  let seq = 0
  /** Submitted transactions not answered yet, by sequence number (in the order sent). */
  const submitted = new Map<number, Submitted>()
  let failedSinceDrain: string | null = null
  const timeoutError = () =>
    new AppError('PG_TIMEOUT', `PostgreSQL did not answer within ${timeoutMs} ms`, {
      retryable: true,
      hint: 'check that the server is up and reachable',
    })
  const settle = (m: PgEnvelope<PgReply>) => {
    const s = submitted.get(m.seq)
    if (!s) return
    submitted.delete(m.seq)
    clearTimeout(s.timer)
    if (m.ok) s.resolve(m)
    else {
      if (s.write) failedSinceDrain = m.message
      s.reject(new PgError(m.message, m.code))
    }
    if (!submitted.size) port1.unref()
  }
  const failAll = (err: Error) => {
    for (const s of submitted.values()) {
      clearTimeout(s.timer)
      s.reject(err)
    }
    if (submitted.size) failedSinceDrain = err.message
    submitted.clear()
    port1.unref()
  }
  // Answers of submitted transactions arrive here when this thread is not blocked in a call.
  port1.on('message', settle)
  port1.unref()
  worker.on('error', (err) => failAll(new AppError('PG_WORKER', `the PostgreSQL thread failed: ${err.message}`)))
  worker.on('exit', () => failAll(new AppError('PG_WORKER', 'the PostgreSQL thread stopped')))
  const next = () => (seq = (seq % 2_000_000_000) + 1)
  // Every answer is matched to its call by sequence number: the late answer of a call that timed out is dropped,
  // never taken for the next call's (which would hand every later caller the previous query's rows).
  const call = (req: PgRequest): { rows: unknown[]; rowCount: number } => {
    if (closed) throw new AppError('PG_CLOSED', 'the PostgreSQL store is closed')
    const mine = next()
    worker.postMessage({ ...req, seq: mine })
    const got: { reply: PgEnvelope<PgReply> | null } = { reply: null }
    const answered = blockForAnswers<PgEnvelope<PgReply>>(port1, signal, {
      deadline: Date.now() + timeoutMs,
      awaitedSeq: () => mine,
      done: () => got.reply !== null,
      onAnswer: (m) => {
        if (m.seq === mine) got.reply = m
        else settle(m)
      },
    })
    const m = got.reply
    if (!answered || !m) throw timeoutError()
    if (!m.ok) throw new PgError(m.message, m.code)
    return m
  }
  const submit = (req: PgRequest, write: boolean): Promise<{ rowCount: number; rows: unknown[] }> => {
    if (closed) return Promise.reject(new AppError('PG_CLOSED', 'the PostgreSQL store is closed'))
    const mine = next()
    // Submitted calls keep the process alive until answered (runs start when their batch commits).
    if (!submitted.size) port1.ref()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!submitted.delete(mine)) return
        if (write) failedSinceDrain = 'timeout'
        if (!submitted.size) port1.unref()
        reject(timeoutError())
      }, timeoutMs)
      timer.unref()
      submitted.set(mine, { resolve, reject, timer, write })
      worker.postMessage({ ...req, seq: mine } satisfies PgEnvelope<PgRequest>)
    })
  }
  return {
    query: <T>(sql: string, params?: readonly unknown[]) => call({ op: 'query', sql, params }).rows as T[],
    transaction: (statements, options) =>
      call({ op: 'tx', statements, ...(options?.serializable ? { isolation: 'serializable' as const } : {}) }),
    submitTransaction: (statements) => submit({ op: 'tx', statements, grouped: true }, true),
    submitQuery: <T>(sql: string, params?: readonly unknown[]) =>
      submit({ op: 'query', sql, params }, false).then((r) => r.rows as T[]),
    drain() {
      // A no-op call is answered after every transaction sent before it.
      if (submitted.size) call({ op: 'query', sql: 'SELECT 1' })
      if (failedSinceDrain !== null) {
        const why = failedSinceDrain
        failedSinceDrain = null
        throw new AppError('PG_EARLIER_FAILED', `an earlier transaction failed (${why})`, { retryable: true })
      }
    },
    close() {
      if (closed) return
      try {
        call({ op: 'close' })
      } catch {
        /* closing anyway */
      }
      closed = true
      void worker.terminate()
    },
  }
}
