// Starting runs: slots and resources, the durable start (committed before the handler runs, on the store's
// writer thread when it has one), execution with retries, and cancelling a run.
import { LazyAbort } from './lazy-abort.ts'
import { executeRun, type ExecutorHooks, type Outcome } from './run-executor.ts'
import type { TimelineHandle } from '../time/timeline.ts'
import {
  emit,
  enqueue,
  errorText,
  finishRun,
  resolveDone,
  runPayload,
  unqueue,
  type Ctx,
  type JobState,
  type RunState,
} from '../scheduler-state.ts'
import type { TaskDefinition } from '../task-contract.ts'

/** The task that runs a job's runs, or null when its task type is not registered (yet). */
export function taskOf(ctx: Ctx, job: JobState): TaskDefinition | null {
  return job.inlineTask ?? ctx.tasks.get(job.rec.taskType) ?? null
}

/** Takes a slot, one of the job's instances and its resources for a run. */
export function reserve(ctx: Ctx, run: RunState) {
  ctx.executing++
  run.job.busy++
  ctx.pools.reserve(run.job.spec.resources)
}

/** Gives back what reserve took. */
export function release(ctx: Ctx, job: JobState) {
  ctx.executing--
  job.busy--
  ctx.pools.release(job.spec.resources)
}

/** The run's args: runNow's override, else the job's. */
export function argsOf(run: RunState): unknown {
  return run.rec.argsJson !== null ? JSON.parse(run.rec.argsJson) : run.job.spec.args
}

/** The first run of the chain `run` continues (itself unless it recovers one): what side effects are keyed by. */
export function originRunIdOf(run: RunState): number {
  return run.rec.recoveredFrom ?? run.rec.id
}

/** Marks a run started (written with the next batch). */
export function markStarted(ctx: Ctx, run: RunState) {
  run.rec.status = 'running'
  run.rec.startedAt = ctx.clock.now()
  run.rec.attempt = 1
  ctx.writes.run(run.rec)
}

/**
 * Persists the starts in one transaction, then executes them; if the write fails, nothing starts. A store with a
 * writer thread commits large batches beside this thread: the runs execute once their batch has committed, and
 * the loop goes on meanwhile (the next batch is built while this one is written).
 */
export function launch(ctx: Ctx, runs: RunState[]): void {
  let commit: Promise<void> | null
  try {
    commit = ctx.writes.commit()
    ctx.storeBroken = false
  } catch (err) {
    notLaunched(ctx, runs, err)
    return
  }
  if (!commit) {
    for (const run of runs) execute(ctx, run)
    return
  }
  commit.then(
    () => {
      for (const run of runs) startCommitted(ctx, run)
    },
    (err: unknown) => notLaunched(ctx, runs, err),
  )
}

/** A run whose start was committed while the scheduler stopped or the run was cancelled does not start now. */
function startCommitted(ctx: Ctx, run: RunState): void {
  if (run.cancelReason) {
    release(ctx, run.job)
    finishRun(ctx, run, 'cancelled', { reason: run.cancelReason })
  } else if (ctx.stopping || !ctx.runs.has(run.rec.id)) {
    release(ctx, run.job)
    // Never started: stored as pending again, so the next start runs it.
    run.rec.status = 'pending'
    run.rec.startedAt = null
    run.rec.attempt = 0
    ctx.writes.run(run.rec)
    resolveDone(run)
  } else execute(ctx, run)
}

/** The starts could not be persisted: the runs wait again and starts are held until the store accepts writes. */
function notLaunched(ctx: Ctx, runs: RunState[], err: unknown): void {
  const wasBroken = ctx.storeBroken
  ctx.storeBroken = true
  ctx.log.error({ err }, 'cannot persist run starts; holding all starts until the store accepts writes')
  for (const run of runs) {
    release(ctx, run.job)
    if (!ctx.runs.has(run.rec.id) || run.finished) continue
    if (run.cancelReason) {
      finishRun(ctx, run, 'cancelled', { reason: run.cancelReason })
      continue
    }
    run.rec.status = 'pending'
    run.rec.startedAt = null
    run.rec.attempt = 0
    enqueue(ctx, run)
  }
  if (!wasBroken) retryStore(ctx)
}

/** Retries the pending writes every second until the store accepts them, then lets dispatch resume. */
function retryStore(ctx: Ctx): void {
  ctx.timeline.at(ctx.clock.now() + 1_000, () => {
    try {
      ctx.writes.flush()
      ctx.storeBroken = false
      ctx.log.info('the store accepts writes again; dispatch resumes')
      ctx.kick()
    } catch {
      if (!ctx.stopping) retryStore(ctx)
    }
  })
}

function execute(ctx: Ctx, run: RunState): void {
  const job = run.job
  const task = taskOf(ctx, job)!
  const abort = new LazyAbort()
  run.controller = abort
  emit(ctx, 'started', () => runPayload(run))
  executeRun(
    {
      handler: task.handler,
      jobId: job.rec.id,
      runId: String(run.rec.id),
      originRunId: String(originRunIdOf(run)),
      args: argsOf(run),
      metadata: job.spec.metadata,
      maxRetries: job.spec.maxRetries ?? ctx.opts.defaultMaxRetries,
      retryDelay: job.spec.retryDelay ?? ctx.opts.defaultRetryDelay,
      maxRetryDelay: job.spec.maxRetryDelay ?? ctx.opts.maxRetryDelay,
      timeoutMs: job.spec.timeout,
      abort,
    },
    new RunHooks(ctx, run),
  )
}

/** The executor's view of the scheduler for one run (a class: its methods are shared by every run). */
class RunHooks implements ExecutorHooks {
  constructor(
    private readonly ctx: Ctx,
    private readonly run: RunState,
  ) {}
  now(): number {
    return this.ctx.clock.now()
  }
  at(ms: number, fn: () => void): TimelineHandle {
    return this.ctx.timeline.at(ms, fn)
  }
  random(): number {
    return (this.ctx.opts.random ?? Math.random)()
  }
  onAttemptStart(attempt: number): void {
    const { ctx, run } = this
    // A detached run (its group moved to a peer) writes nothing more: the peer owns its record now.
    if (attempt === 1 || run.detached) return
    run.rec.attempt = attempt
    run.rec.status = 'running'
    ctx.writes.run(run.rec)
    ctx.kick()
  }
  onAttemptFailed(attempt: number, startedAt: number, error: unknown): void {
    this.ctx.writes.attempt({
      runId: this.run.rec.id,
      attempt,
      startedAt,
      endedAt: this.ctx.clock.now(),
      error: errorText(error),
    })
  }
  onRetrying(attempt: number, error: unknown, delayMs: number): void {
    const { ctx, run } = this
    if (run.detached) return
    run.rec.status = 'retrying'
    const text = errorText(error)
    run.rec.error = text
    ctx.writes.run(run.rec)
    ctx.kick()
    emit(ctx, 'retrying', () => ({ ...runPayload(run), error: text, delayMs }))
    ctx.log.info({ jobId: run.job.rec.id, runId: run.rec.id, attempt, delayMs }, 'attempt failed; retrying')
  }
  onOutcome(o: Outcome): void {
    const { ctx, run } = this
    if (o.ok) {
      let resultJson: string | null
      try {
        resultJson = o.result === undefined ? null : JSON.stringify(o.result)
      } catch {
        resultJson = JSON.stringify({ unserializable: true })
      }
      finishRun(ctx, run, 'succeeded', { resultJson, error: null })
    } else if (run.shutdown) {
      finishRun(ctx, run, 'interrupted', {
        reason: 'shutdown: aborted after the grace period',
        recovery: 'pending',
        error: errorText(o.error),
      })
    } else if (run.cancelReason) {
      finishRun(ctx, run, 'cancelled', { reason: run.cancelReason, error: errorText(o.error) })
    } else {
      finishRun(ctx, run, 'failed', { error: errorText(o.error) })
    }
  }
  /** The instance is released only when no handler call is still executing, so maxInstances holds even for a
   *  handler that ignores its abort signal. */
  onSettled(): void {
    release(this.ctx, this.run.job)
    this.ctx.kick()
  }
}

/** Cancels a run: a waiting one at once, an executing one by aborting its signal. Returns false if finished. */
export function cancelRunState(ctx: Ctx, run: RunState, reason: string): boolean {
  if (!ctx.runs.has(run.rec.id)) return false
  if (run.rec.status === 'running' || run.rec.status === 'retrying') {
    run.cancelReason = reason
    run.controller?.abort(new RunCancelledError(reason))
    return true
  }
  unqueue(ctx, run)
  finishRun(ctx, run, 'cancelled', { reason })
  return true
}

/** The abort reason given to a handler whose run was cancelled. */
export class RunCancelledError extends Error {
  override name = 'RunCancelledError'
  readonly retryable = false
}
