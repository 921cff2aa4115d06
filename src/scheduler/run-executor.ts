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

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown }
const succeeded = (result: unknown): Outcome => ({ ok: true, result })
const failed = (error: unknown): Outcome => ({ ok: false, error })
const unwrapAbort = (err: unknown): never => {
  throw err instanceof AbortError ? (err as AbortError & { originalError: Error }).originalError : err
}

/**
 * Executes a run. Each attempt races its handler against the abort signal (run cancel/shutdown, plus the
 * timeout when the job has one); failures retry through p-retry with a full-jitter wait on the timeline.
 * A job without retries skips p-retry entirely (the common, hot path). Classes rather than closures: every
 * run makes these objects, and a class's methods are shared.
 */
export function executeRun(p: ExecuteParams, hooks: ExecutorHooks): ExecuteResult {
  return new RunExecution(p, hooks)
}

class RunExecution implements ExecuteResult {
  readonly outcome: Promise<Outcome>
  /** Handler calls not yet returned (an abort does not wait for them). */
  inFlight = 0
  private waiters: (() => void)[] | null = null

  constructor(readonly p: ExecuteParams, readonly hooks: ExecutorHooks) {
    const run: Promise<unknown> = p.maxRetries === 0
      ? new Attempt(this, 1).promise.catch(unwrapAbort)
      : pRetry((n) => new Attempt(this, n).promise, {
        retries: p.maxRetries,
        // p-retry's own sleep is disabled (minTimeout 0): the full-jitter wait runs on the scheduler's timeline.
        minTimeout: 0,
        factor: 1,
        signal: p.signal,
        shouldRetry: ({ error, attemptNumber }) => this.shouldRetry(error, attemptNumber),
      })
    this.outcome = run.then(succeeded, failed)
  }

  handlersSettled(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => (this.waiters ??= []).push(r))
  }

  /** A handler call returned (or threw). */
  settledOne(): void {
    if (--this.inFlight > 0 || !this.waiters) return
    const w = this.waiters
    this.waiters = null
    for (const f of w) f()
  }

  private async shouldRetry(error: unknown, attemptNumber: number): Promise<boolean> {
    const { p, hooks } = this
    if (p.signal.aborted || !isRetryableFailure(error)) return false
    const delay = backoffDelay(attemptNumber, p.retryDelay, p.maxRetryDelay, hooks.random)
    hooks.onRetrying(attemptNumber, error, delay)
    await new Promise<void>((resolve, reject) => {
      if (p.signal.aborted) return reject(p.signal.reason)
      const wake = new Wake(p.signal, resolve, reject)
      wake.handle = hooks.at(hooks.now() + delay, () => wake.fire())
      p.signal.addEventListener('abort', wake, { once: true })
    })
    return true
  }
}

/** The retry wait: ends at its time on the timeline, or early (rejecting) when the run is aborted. */
class Wake {
  handle: TimelineHandle | null = null
  constructor(private readonly signal: AbortSignal, private readonly resolve: () => void, private readonly reject: (e: unknown) => void) {}
  fire(): void {
    this.signal.removeEventListener('abort', this)
    this.resolve()
  }
  handleEvent(): void {
    this.handle?.cancel()
    this.reject(this.signal.reason)
  }
}

/** One attempt: the handler's call raced against the abort signal (and the timeout, when the job has one). */
class Attempt {
  readonly promise: Promise<unknown>
  private readonly startedAt: number
  /** The attempt's own controller, only when a timeout can fire; otherwise the run's signal serves. */
  private readonly ctrl: AbortController | null = null
  private readonly signal: AbortSignal
  private timer: TimelineHandle | null = null
  private done = false
  private resolve!: (v: unknown) => void
  private reject!: (e: unknown) => void

  constructor(private readonly run: RunExecution, private readonly attempt: number) {
    const { p, hooks } = run
    hooks.onAttemptStart(attempt)
    this.startedAt = hooks.now()
    this.signal = p.signal
    if (p.timeoutMs !== undefined) {
      const ctrl = new AbortController()
      this.ctrl = ctrl
      this.signal = ctrl.signal
      if (p.signal.aborted) ctrl.abort(p.signal.reason)
      else p.signal.addEventListener('abort', this, { once: true })
      const timeoutMs = p.timeoutMs
      this.timer = hooks.at(this.startedAt + timeoutMs, () => ctrl.abort(new RunTimeoutError(timeoutMs)))
    }
    let call: Promise<unknown>
    try {
      call = Promise.resolve(p.handler({ jobId: p.jobId, runId: p.runId, attempt, args: p.args, metadata: p.metadata, signal: this.signal }))
    } catch (err) {
      call = Promise.reject(err)
    }
    run.inFlight++
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    if (this.signal.aborted) this.finish(false, this.signal.reason)
    else this.signal.addEventListener('abort', this, { once: true })
    call.then((v) => {
      run.settledOne()
      this.finish(true, v)
    }, (e: unknown) => {
      run.settledOne()
      this.finish(false, e)
    })
  }

  /** Abort events: the run's signal is forwarded to the attempt's own controller; the attempt's signal ends it. */
  handleEvent(ev: Event): void {
    if (this.ctrl && ev.target === this.run.p.signal) this.ctrl.abort(this.run.p.signal.reason)
    else this.finish(false, this.signal.reason)
  }

  private finish(ok: boolean, v: unknown): void {
    if (this.done) return
    this.done = true
    this.signal.removeEventListener('abort', this)
    this.timer?.cancel()
    if (this.ctrl) this.run.p.signal.removeEventListener('abort', this)
    if (ok) this.resolve(v)
    else {
      this.run.hooks.onAttemptFailed(this.attempt, this.startedAt, v)
      this.reject(v)
    }
  }
}
