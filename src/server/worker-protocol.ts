// Messages between the scheduler's thread and the HTTP worker thread, so API load never delays a trigger.
import type { AuditInput } from '../access/audit-log.ts'
import type { Actor } from '../access/roles.ts'
import type { EnvToken } from '../access/token-store.ts'
import type { OpName } from './api-ops.ts'
import type { RateLimitConfig } from './rate-limit.ts'
import type { ChartSettings } from '../history/index.ts'
import type { ReportBook } from '../bot/report-format.ts'

/** What the worker needs to start: where to listen, and how to authenticate without the scheduler's thread. */
export interface WorkerConfig {
  host: string
  /** 0 picks a free port. */
  port: number
  protectReads: boolean
  rateLimit: RateLimitConfig
  /** The state file; the worker opens it read-only to verify tokens. */
  dbPath: string
  envTokens: EnvToken[]
  /** Reads are served from a cache at most this old (also dropped on every state change). */
  cacheMs: number
  /** Run history and the audit log are read here from the state file (SQLite store); else asked of the main thread. */
  historyFromFile: boolean
  /** Caps, budgets and explorer links the dashboard's charts draw beside the history. */
  charts?: ChartSettings
  /** The address book and native symbols transactions are formatted with (names, symbols, decimals). */
  reports?: ReportBook
}

/** A control error as it crosses threads. */
export interface WireError {
  code: string
  status: number
  message: string
  hint?: string
  details?: Record<string, unknown>
}

/** Worker -> scheduler thread. */
export type ToMain =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'call'; id: number; op: OpName; args: unknown; actor?: Actor }
  | { type: 'audit'; entry: AuditInput }
  | { type: 'log'; level: 'warn' | 'error'; msg: string }

/** Scheduler thread -> worker. */
export type ToWorker =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WireError }
  | { type: 'event'; data: RunEventData }
  | { type: 'close' }

/** One run state change as the dashboard's event stream sends it. */
export interface RunEventData {
  event: string
  jobId: string
  runId: string
  status: string
  at: number
  reason: unknown
}
