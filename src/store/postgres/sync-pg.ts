// Synchronous PostgreSQL for the scheduler's synchronous store port: `pg` runs in a worker thread and this thread
// blocks (Atomics.wait) for one round trip per call. The scheduler writes one batch per loop turn, so the loop
// blocks for about one localhost round trip per turn; see README.md here for the trade-off.
import { MessageChannel, Worker } from 'node:worker_threads'
import { AppError } from '../../errors/app-error.ts'
import { blockForAnswers } from '../blocking-answers.ts'
import { registerSecret } from '../../logging/redact.ts'

/** One statement with positional parameters ($1, $2...). */
export interface PgStatement {
  sql: string
  params?: readonly unknown[]
}

/** A request to the worker. */
export type PgRequest =
  | { op: 'query'; sql: string; params?: readonly unknown[] }
  | { op: 'tx'; statements: readonly PgStatement[]; isolation?: 'serializable' }
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
  // Every answer is matched to its call by sequence number: the late answer of a call that timed out is dropped,
  // never taken for the next call's (which would hand every later caller the previous query's rows).
  const call = (req: PgRequest): { rows: unknown[]; rowCount: number } => {
    if (closed) throw new AppError('PG_CLOSED', 'the PostgreSQL store is closed')
    seq = (seq % 2_000_000_000) + 1
    worker.postMessage({ ...req, seq })
    const got: { reply: PgEnvelope<PgReply> | null } = { reply: null }
    const answered = blockForAnswers<PgEnvelope<PgReply>>(port1, signal, {
      deadline: Date.now() + timeoutMs,
      awaitedSeq: () => seq,
      done: () => got.reply !== null,
      onAnswer: (m) => {
        if (m.seq === seq) got.reply = m
      },
    })
    const m = got.reply
    if (!answered || !m) {
      throw new AppError('PG_TIMEOUT', `PostgreSQL did not answer within ${timeoutMs} ms`, {
        retryable: true,
        hint: 'check that the server is up and reachable',
      })
    }
    if (!m.ok) throw new PgError(m.message, m.code)
    return m
  }
  return {
    query: <T>(sql: string, params?: readonly unknown[]) => call({ op: 'query', sql, params }).rows as T[],
    transaction: (statements, options) =>
      call({ op: 'tx', statements, ...(options?.serializable ? { isolation: 'serializable' as const } : {}) }),
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
