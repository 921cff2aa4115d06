// Runs one run's attempts: p-retry with full-jitter backoff on the scheduler's timeline, per-attempt timeouts.
import pRetry, { AbortError } from 'p-retry'
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

/**
 * Executes a run. Each attempt races its handler against the abort signal (run cancel/shutdown, plus the
 * timeout when the job has one); failures retry through p-retry with a full-jitter wait on the timeline.
 * A job without retries skips p-retry entirely (the common, hot path).
 */
export function executeRun(p: ExecuteParams, hooks: ExecutorHooks): ExecuteResult {
  let inFlight = 0
  let waiters: (() => void)[] = []
  const settledOne = () => {
    if (--inFlight === 0) {
      const w = waiters
      waiters = []
      for (const f of w) f()
    }
  }
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
    const startedAt = hooks.now()
    // A per-attempt controller only when a timeout can fire; otherwise the run's own signal serves.
    let signal = p.signal
    let ctrl: AbortController | null = null
    let timer: TimelineHandle | null = null
    const onRunAbort = () => ctrl!.abort(p.signal.reason)
    if (p.timeoutMs !== undefined) {
      ctrl = new AbortController()
      signal = ctrl.signal
      if (p.signal.aborted) ctrl.abort(p.signal.reason)
      else p.signal.addEventListener('abort', onRunAbort, { once: true })
      timer = hooks.at(startedAt + p.timeoutMs, () => ctrl!.abort(new RunTimeoutError(p.timeoutMs!)))
    }
    let call: Promise<unknown>
    try {
      call = Promise.resolve(p.handler({ jobId: p.jobId, runId: p.runId, attempt, args: p.args, metadata: p.metadata, signal }))
    } catch (err) {
      call = Promise.reject(err)
    }
    inFlight++
    call.then(settledOne, settledOne)
    return new Promise<unknown>((resolve, reject) => {
      let done = false
      const finish = (ok: boolean, v: unknown) => {
        if (done) return
        done = true
        signal.removeEventListener('abort', onAbort)
        timer?.cancel()
        if (ctrl) p.signal.removeEventListener('abort', onRunAbort)
        if (ok) resolve(v)
        else {
          hooks.onAttemptFailed(attempt, startedAt, v)
          reject(v)
        }
      }
      const onAbort = () => finish(false, signal.reason)
      if (signal.aborted) return finish(false, signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      call.then((v) => finish(true, v), (e: unknown) => finish(false, e))
    })
  }

  const run: Promise<unknown> =
    p.maxRetries === 0
      ? attemptOnce(1).catch((err: unknown) => {
          throw err instanceof AbortError ? (err as AbortError & { originalError: Error }).originalError : err
        })
      : pRetry(attemptOnce, {
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
        })
  const outcome = run.then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  return {
    outcome,
    handlersSettled: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
  }
}
