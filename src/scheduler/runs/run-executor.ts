// Runs one run's attempts: p-retry with full-jitter backoff on the scheduler's timeline, per-attempt timeouts.
import pRetry, { AbortError } from 'p-retry'
import { SchedulerError } from '../errors.ts'
import { LazyAbort, type AbortListener } from './lazy-abort.ts'
import type { RunContext, TaskHandler } from '../task-contract.ts'
import type { TimelineHandle } from '../time/timeline.ts'

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

/** A run's outcome. */
export type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown }

/** What the executor needs from the scheduler. */
export interface ExecutorHooks {
  now(): number
  at(ms: number, fn: () => void): TimelineHandle
  random(): number
  onAttemptStart(attempt: number): void
  onAttemptFailed(attempt: number, startedAt: number, error: unknown): void
  onRetrying(attempt: number, error: unknown, delayMs: number): void
  /** The run's outcome, given once. */
  onOutcome(outcome: Outcome): void
  /** After the outcome, once no handler call of the run is still executing (maxInstances holds until then). */
  onSettled(): void
}

/** One run to execute. */
export interface ExecuteParams {
  handler: TaskHandler
  jobId: string
  runId: string
  originRunId: string
  args: unknown
  metadata: Record<string, unknown>
  maxRetries: number
  retryDelay: number
  maxRetryDelay: number
  timeoutMs: number | undefined
  /** Aborted by cancel or shutdown. */
  abort: LazyAbort
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

const unwrapAbort = (err: unknown): unknown =>
  err instanceof AbortError ? (err as AbortError & { originalError: Error }).originalError : err

/**
 * Executes a run. Each attempt races its handler against the run's abort (cancel/shutdown, plus the timeout
 * when the job has one); failures retry through p-retry with a full-jitter wait on the timeline. A job without
 * retries skips p-retry and every promise but the handler's own (the common, hot path). Classes rather than
 * closures: every run makes these objects, and a class's methods are shared.
 */
export function executeRun(p: ExecuteParams, hooks: ExecutorHooks): void {
  const run = new RunExecution(p, hooks)
  if (p.maxRetries === 0) {
    new Attempt(run, 1, null)
    return
  }
  pRetry((n) => new Promise((resolve, reject) => new Attempt(run, n, { resolve, reject })), {
    retries: p.maxRetries,
    // p-retry's own sleep is disabled (minTimeout 0): the full-jitter wait runs on the scheduler's timeline.
    minTimeout: 0,
    factor: 1,
    shouldRetry: ({ error, attemptNumber }) => run.shouldRetry(error, attemptNumber),
  }).then(
    (result) => run.end({ ok: true, result }),
    (error: unknown) => run.end({ ok: false, error }),
  )
}

class RunExecution {
  /** Handler calls not yet returned (an abort does not wait for them). */
  inFlight = 0
  private ended = false

  constructor(
    readonly p: ExecuteParams,
    readonly hooks: ExecutorHooks,
  ) {}

  /** The run's outcome; settled at once when no handler call is still executing. */
  end(o: Outcome): void {
    if (this.ended) return
    this.ended = true
    this.hooks.onOutcome(o.ok ? o : { ok: false, error: unwrapAbort(o.error) })
    if (this.inFlight === 0) this.hooks.onSettled()
  }

  /** A handler call returned (or threw). */
  settledOne(): void {
    if (--this.inFlight === 0 && this.ended) this.hooks.onSettled()
  }

  async shouldRetry(error: unknown, attemptNumber: number): Promise<boolean> {
    const { p, hooks } = this
    if (p.abort.aborted || !isRetryableFailure(error)) return false
    const delay = backoffDelay(attemptNumber, p.retryDelay, p.maxRetryDelay, () => hooks.random())
    hooks.onRetrying(attemptNumber, error, delay)
    await new Promise<void>((resolve, reject) => {
      if (p.abort.aborted) return reject(p.abort.reason)
      const wake = new Wake(p.abort, resolve, reject)
      wake.handle = hooks.at(hooks.now() + delay, () => wake.fire())
      p.abort.listen(wake)
    })
    return true
  }
}

/** The retry wait: ends at its time on the timeline, or early (rejecting) when the run is aborted. */
class Wake implements AbortListener {
  handle: TimelineHandle | null = null
  constructor(
    private readonly abort: LazyAbort,
    private readonly resolve: () => void,
    private readonly reject: (e: unknown) => void,
  ) {}
  fire(): void {
    this.abort.listen(null)
    this.resolve()
  }
  onAbort(reason: unknown): void {
    this.handle?.cancel()
    this.reject(reason)
  }
}

/** What a handler receives; its signal is made only if the handler reads it. */
class AttemptContext implements RunContext {
  readonly #abort: LazyAbort
  constructor(
    readonly jobId: string,
    readonly runId: string,
    readonly originRunId: string,
    readonly attempt: number,
    readonly args: unknown,
    readonly metadata: Record<string, unknown>,
    abort: LazyAbort,
  ) {
    this.#abort = abort
  }
  get signal(): AbortSignal {
    return this.#abort.signal
  }
}

/**
 * One attempt: the handler's call raced against the run's abort (and the timeout, when the job has one). It
 * reports to `settle` under p-retry, else straight to the run as its outcome.
 */
class Attempt implements AbortListener {
  private readonly startedAt: number
  /** The attempt's own abort, only when a timeout can fire; otherwise the run's serves the handler. */
  private readonly own: LazyAbort | null = null
  private timer: TimelineHandle | null = null
  private done = false

  constructor(
    private readonly run: RunExecution,
    private readonly attempt: number,
    private readonly settle: { resolve: (v: unknown) => void; reject: (e: unknown) => void } | null,
  ) {
    const { p, hooks } = run
    hooks.onAttemptStart(attempt)
    this.startedAt = hooks.now()
    if (p.timeoutMs !== undefined) {
      const own = new LazyAbort()
      this.own = own
      if (p.abort.aborted) own.abort(p.abort.reason)
      const timeoutMs = p.timeoutMs
      this.timer = hooks.at(this.startedAt + timeoutMs, () => {
        own.abort(new RunTimeoutError(timeoutMs))
        this.finish(false, own.reason)
      })
    }
    let call: Promise<unknown>
    try {
      call = Promise.resolve(
        p.handler(
          new AttemptContext(p.jobId, p.runId, p.originRunId, attempt, p.args, p.metadata, this.own ?? p.abort),
        ),
      )
    } catch (err) {
      call = Promise.reject(err)
    }
    run.inFlight++
    if (p.abort.aborted) this.finish(false, p.abort.reason)
    else p.abort.listen(this)
    call.then(
      (v) => {
        run.settledOne()
        this.finish(true, v)
      },
      (e: unknown) => {
        run.settledOne()
        this.finish(false, e)
      },
    )
  }

  /** The run was aborted: the handler's own signal (if any) fires too, and the attempt ends now. */
  onAbort(reason: unknown): void {
    this.own?.abort(reason)
    this.finish(false, reason)
  }

  private finish(ok: boolean, v: unknown): void {
    if (this.done) return
    this.done = true
    this.run.p.abort.listen(null)
    this.timer?.cancel()
    if (!ok) this.run.hooks.onAttemptFailed(this.attempt, this.startedAt, v)
    if (this.settle) {
      if (ok) this.settle.resolve(v)
      else this.settle.reject(v)
    } else this.run.end(ok ? { ok: true, result: v } : { ok: false, error: v })
  }
}
