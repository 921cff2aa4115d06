// Runs one run's attempts: p-retry with full-jitter backoff on the scheduler's timeline, per-attempt timeouts.
import pRetry from 'p-retry'
import { SchedulerError } from './errors.ts'
import type { TaskHandler } from './task-contract.ts'
import type { TimelineHandle } from './timeline.ts'

/** An attempt ran past the job's timeout; its signal was aborted. Not retried: the work may have happened. */
export class RunTimeoutError extends SchedulerError {
  override name = 'RunTimeoutError' as const
  constructor(timeoutMs: number) {
    super('RUN_TIMEOUT', `the attempt ran longer than its timeout of ${timeoutMs} ms and was aborted`, {
      retryable: false,
      hint: 'raise the job timeout, or make the handler finish sooner',
    })
  }
}

/** What the executor needs from the scheduler. */
export interface ExecutorHooks {
  now(): number
  at(ms: number, fn: () => void): TimelineHandle
  random(): number
  onAttemptStart(attempt: number): void
  onAttemptFailed(attempt: number, startedAt: number, error: unknown): void
  onRetrying(attempt: number, error: unknown, delayMs: number): void
}

/** One run to execute. */
export interface ExecuteParams {
  handler: TaskHandler
  jobId: string
  runId: string
  args: unknown
  metadata: Record<string, unknown>
  maxRetries: number
  retryDelay: number
  maxRetryDelay: number
  timeoutMs: number | undefined
  /** Aborted by cancel or shutdown. */
  signal: AbortSignal
}

/** The outcome of a run, plus a promise that settles once no handler call of it is still executing. */
export interface ExecuteResult {
  outcome: Promise<{ ok: true; result: unknown } | { ok: false; error: unknown }>
  handlersSettled: () => Promise<void>
}

/** Full jitter: a uniform delay between 0 and min(cap, base * 2^(attempt-1)). */
export function backoffDelay(attempt: number, base: number, cap: number, random: () => number): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * ceiling)
}

/** True when a failed attempt may be retried: not aborted, not a timeout, not marked `retryable: false`. */
export function isRetryableFailure(error: unknown): boolean {
  if (error instanceof RunTimeoutError) return false
  const r = (error as { retryable?: unknown } | null)?.retryable
  return r !== false
}

/** Executes a run: each attempt gets its own AbortSignal (run signal + timeout), failures retry with backoff. */
export function executeRun(p: ExecuteParams, hooks: ExecutorHooks): ExecuteResult {
  const inFlight = new Set<Promise<unknown>>()
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (p.signal.aborted) return reject(p.signal.reason)
      const onAbort = () => {
        h.cancel()
        reject(p.signal.reason)
      }
      const h = hooks.at(hooks.now() + ms, () => {
        p.signal.removeEventListener('abort', onAbort)
        resolve()
      })
      p.signal.addEventListener('abort', onAbort, { once: true })
    })

  const attemptOnce = (attempt: number): Promise<unknown> => {
    hooks.onAttemptStart(attempt)
    const ctrl = new AbortController()
    const startedAt = hooks.now()
    const onRunAbort = () => ctrl.abort(p.signal.reason)
    if (p.signal.aborted) ctrl.abort(p.signal.reason)
    else p.signal.addEventListener('abort', onRunAbort, { once: true })
    const timer = p.timeoutMs !== undefined ? hooks.at(startedAt + p.timeoutMs, () => ctrl.abort(new RunTimeoutError(p.timeoutMs!))) : null
    let call: Promise<unknown>
    try {
      call = Promise.resolve(
        p.handler({ jobId: p.jobId, runId: p.runId, attempt, args: p.args, metadata: p.metadata, signal: ctrl.signal }),
      )
    } catch (err) {
      call = Promise.reject(err)
    }
    const tracked = call.then(() => undefined, () => undefined)
    inFlight.add(tracked)
    void tracked.then(() => inFlight.delete(tracked))
    const aborted = new Promise<never>((_, reject) => {
      if (ctrl.signal.aborted) reject(ctrl.signal.reason)
      ctrl.signal.addEventListener('abort', () => reject(ctrl.signal.reason), { once: true })
    })
    aborted.catch(() => undefined)
    return Promise.race([call, aborted]).finally(() => {
      timer?.cancel()
      p.signal.removeEventListener('abort', onRunAbort)
    }).catch((err: unknown) => {
      hooks.onAttemptFailed(attempt, startedAt, err)
      throw err
    })
  }

  const outcome = pRetry(attemptOnce, {
    retries: p.maxRetries,
    // p-retry's own sleep is disabled (minTimeout 0): the full-jitter wait runs on the scheduler's timeline.
    minTimeout: 0,
    factor: 1,
    signal: p.signal,
    shouldRetry: async ({ error, attemptNumber }) => {
      if (p.signal.aborted || !isRetryableFailure(error)) return false
      const delay = backoffDelay(attemptNumber, p.retryDelay, p.maxRetryDelay, hooks.random)
      hooks.onRetrying(attemptNumber, error, delay)
      await sleep(delay)
      return true
    },
  }).then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  return {
    outcome,
    handlersSettled: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
  }
}
