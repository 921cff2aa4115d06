// The dispatch pass: picks due runs by priority (FIFO within one), checks dependencies, instances, slots and
// resource pools, asks the gate, persists the starts in one transaction, then executes them.
import { DispatchGateError } from './gate-error.ts'
import { dependencyTimedOut, outsideWindow } from './run-conditions.ts'
import { windowState } from './run-window.ts'
import { LazyAbort } from './lazy-abort.ts'
import { executeRun, type ExecutorHooks, type Outcome } from './run-executor.ts'
import type { TimelineHandle } from './timeline.ts'
import {
  emit, enqueue, errorText, finishRun, resolveDone, runPayload, unqueue, type Ctx, type JobState, type RunState,
} from './scheduler-state.ts'
import type { GateDecision, GateInput } from './scheduler-types.ts'
import type { TaskDefinition } from './task-contract.ts'

/** The task that runs a job's runs, or null when its task type is not registered (yet). */
export function taskOf(ctx: Ctx, job: JobState): TaskDefinition | null {
  return job.inlineTask ?? ctx.tasks.get(job.rec.taskType) ?? null
}

/**
 * How a job's dependencies stand: 'ok' when each one's latest finished run succeeded and none is active,
 * 'wait' while one is active or has not run yet, or the id of a dependency that failed permanently.
 */
export function dependencyState(ctx: Ctx, job: JobState): { state: 'ok' | 'wait' | 'failed'; dep?: string; why?: string } {
  for (const id of job.spec.dependencies) {
    const dep = ctx.jobs.get(id)
    if (!dep) return { state: 'failed', dep: id, why: `dependency ${id} no longer exists` }
    if (dep.active.size > 0) return { state: 'wait', dep: id, why: `dependency ${id} has a run in progress` }
    const last = dep.rec.lastOutcome
    if (last === 'succeeded') continue
    if (last === null) {
      if (!dep.rec.enabled) return { state: 'failed', dep: id, why: `dependency ${id} is disabled and never succeeded` }
      return { state: 'wait', dep: id, why: `dependency ${id} has not run yet` }
    }
    return { state: 'failed', dep: id, why: `dependency ${id} ended ${last}` }
  }
  return { state: 'ok' }
}

/** Everything that keeps a pending run from starting right now (empty when it can start). */
export function blockersOf(ctx: Ctx, run: RunState): string[] {
  const job = run.job
  const out: string[] = []
  if (ctx.globalPaused) out.push('scheduler is paused')
  if (job.rec.paused) out.push('job is paused')
  if (!taskOf(ctx, job)) out.push(`task type "${job.rec.taskType}" is not registered`)
  if (job.busy >= job.spec.maxInstances) out.push(`maxInstances ${job.spec.maxInstances} reached: a previous run is still executing`)
  if (job.spec.windows && run.rec.origin !== 'manual') {
    const w = windowState(job.spec.windows, ctx.clock.now(), job.spec.timezone ?? 'UTC')
    if (!w.open) out.push(`outside its run windows${w.nextOpening === null ? '' : ` until ${new Date(w.nextOpening).toISOString()}`}`)
  }
  const d = dependencyState(ctx, job)
  if (d.state !== 'ok') out.push(d.why!)
  if (ctx.executing >= ctx.opts.maxConcurrentJobs) out.push(`all ${ctx.opts.maxConcurrentJobs} slots (maxConcurrentJobs) are in use`)
  out.push(...ctx.pools.shortages(job.spec.resources).map((s) => `resources: ${s}`))
  if (ctx.storeBroken) out.push('the store cannot be written; starts are held until it can')
  return out
}

function reserve(ctx: Ctx, run: RunState) {
  ctx.executing++
  run.job.busy++
  ctx.pools.reserve(run.job.spec.resources)
}

function release(ctx: Ctx, job: JobState) {
  ctx.executing--
  job.busy--
  ctx.pools.release(job.spec.resources)
}

function gateInput(ctx: Ctx, run: RunState): GateInput {
  const j = run.job
  return {
    runId: String(run.rec.id), jobId: j.rec.id, taskType: j.rec.taskType, priority: j.rec.priority,
    origin: run.rec.origin, scheduledFor: run.rec.scheduledFor, args: argsOf(run), metadata: j.spec.metadata,
    previous: run.rec.gateAction ? { action: run.rec.gateAction, reason: run.rec.gateReason } : null,
  }
}

function argsOf(run: RunState): unknown {
  return run.rec.argsJson !== null ? JSON.parse(run.rec.argsJson) : run.job.spec.args
}

/** Runs one dispatch pass; repeats while cancellations (dependency failures) may unblock or cancel more. */
export function dispatch(ctx: Ctx): void {
  if (!ctx.live || ctx.stopping || ctx.globalPaused || ctx.storeBroken) return
  const toStart: RunState[] = []
  let again = true
  while (again) {
    again = false
    for (const queue of ctx.pending) {
      for (const run of queue) {
        if (ctx.executing >= ctx.opts.maxConcurrentJobs) break
        const job = run.job
        if (job.rec.paused || job.busy >= job.spec.maxInstances) continue
        if (job.spec.windows && run.rec.origin !== 'manual' && outsideWindow(ctx, run, (d) => applyDecision(ctx, run, d))) {
          queue.delete(run)
          continue
        }
        const deps = job.spec.dependencies.length ? dependencyState(ctx, job) : { state: 'ok' as const }
        if (deps.state === 'failed') {
          finishRun(ctx, run, 'cancelled', { reason: `dependency_failed: ${deps.why}` })
          again = true
          continue
        }
        if (deps.state === 'wait' && job.spec.dependencyTimeout !== undefined && dependencyTimedOut(ctx, run, deps.why!)) {
          again = true
          continue
        }
        if (deps.state === 'wait' || !taskOf(ctx, job) || !ctx.pools.available(job.spec.resources)) continue
        if (!ctx.opts.gate) {
          queue.delete(run)
          reserve(ctx, run)
          markStarted(ctx, run)
          toStart.push(run)
          continue
        }
        let decision: GateDecision | Promise<GateDecision>
        try {
          decision = ctx.opts.gate(gateInput(ctx, run))
        } catch (err) {
          decision = { action: 'hold', reason: `gate failed: ${errorText(err)}` }
        }
        queue.delete(run)
        if (isThenable(decision)) {
          reserve(ctx, run)
          awaitGate(ctx, run, decision)
          continue
        }
        reserve(ctx, run)
        if (applyDecision(ctx, run, decision)) toStart.push(run)
        else release(ctx, job)
      }
    }
  }
  launch(ctx, toStart)
}

function isThenable(v: unknown): v is Promise<GateDecision> {
  return typeof (v as { then?: unknown })?.then === 'function'
}

/** An async gate keeps the run's slot, instance and resources reserved while it decides. */
function awaitGate(ctx: Ctx, run: RunState, p: Promise<GateDecision>): void {
  p.then(
    (d) => d,
    (err: unknown) => ({ action: 'hold', reason: `gate failed: ${errorText(err)}` }) as GateDecision,
  ).then((d) => {
    if (ctx.stopping || !ctx.runs.has(run.rec.id)) {
      release(ctx, run.job)
      if (ctx.runs.has(run.rec.id)) enqueue(ctx, run)
      return
    }
    if (applyDecision(ctx, run, d)) launch(ctx, [run])
    else release(ctx, run.job)
    ctx.kick()
  })
}

/** Records the gate's decision on the run; returns true when the run should start now. */
function applyDecision(ctx: Ctx, run: RunState, raw: GateDecision): boolean {
  const d = validDecision(raw)
  const now = ctx.clock.now()
  run.rec.gateAction = d.action
  run.rec.gateReason = d.reason ?? null
  run.rec.gateUntil = d.action === 'delay' ? d.until : null
  switch (d.action) {
    case 'run':
      markStarted(ctx, run)
      return true
    case 'skip':
      finishRun(ctx, run, 'skipped', { reason: `gate: ${d.reason}` })
      return false
    case 'delay': {
      run.rec.status = 'delayed'
      ctx.writes.run(run.rec)
      const until = Math.max(d.until, now)
      run.wake = ctx.timeline.at(until, () => {
        run.wake = null
        if (run.rec.status === 'delayed' && ctx.runs.has(run.rec.id)) {
          enqueue(ctx, run)
          ctx.kick()
        }
      })
      emit(ctx, 'delayed', () => ({ ...runPayload(run), until, reason: d.reason }))
      return false
    }
    case 'hold':
      run.rec.status = 'held'
      ctx.writes.run(run.rec)
      ctx.held.add(run)
      if (!ctx.holdRecheck) {
        ctx.holdRecheck = ctx.timeline.at(now + ctx.opts.holdRecheckMs, () => {
          ctx.holdRecheck = null
          recheckHeld(ctx, false)
        })
      }
      emit(ctx, 'held', () => ({ ...runPayload(run), reason: d.reason }))
      return false
  }
}

function validDecision(d: GateDecision): GateDecision {
  const ok =
    d && (d.action === 'run' || ((d.action === 'skip' || d.action === 'hold') && typeof d.reason === 'string') ||
      (d.action === 'delay' && Number.isFinite(d.until) && typeof d.reason === 'string'))
  if (ok) return d
  // Fail closed: an answer we cannot read never starts a run.
  return { action: 'hold', reason: new DispatchGateError(d).message }
}

/** Puts held runs (and, when asked, delayed ones) back in the queue for a fresh gate decision. */
export function recheckHeld(ctx: Ctx, includeDelayed: boolean): void {
  for (const run of [...ctx.held]) {
    ctx.held.delete(run)
    enqueue(ctx, run)
  }
  if (includeDelayed) {
    for (const run of ctx.runs.values()) {
      if (run.rec.status === 'delayed') {
        unqueue(ctx, run)
        enqueue(ctx, run)
      }
    }
  }
  ctx.kick()
}

function markStarted(ctx: Ctx, run: RunState) {
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
function launch(ctx: Ctx, runs: RunState[]): void {
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
  commit.then(() => {
    for (const run of runs) startCommitted(ctx, run)
  }, (err: unknown) => notLaunched(ctx, runs, err))
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
      handler: task.handler, jobId: job.rec.id, runId: String(run.rec.id), args: argsOf(run), metadata: job.spec.metadata,
      maxRetries: job.spec.maxRetries ?? ctx.opts.defaultMaxRetries,
      retryDelay: job.spec.retryDelay ?? ctx.opts.defaultRetryDelay,
      maxRetryDelay: job.spec.maxRetryDelay ?? ctx.opts.maxRetryDelay,
      timeoutMs: job.spec.timeout, abort,
    },
    new RunHooks(ctx, run),
  )
}

/** The executor's view of the scheduler for one run (a class: its methods are shared by every run). */
class RunHooks implements ExecutorHooks {
  constructor(private readonly ctx: Ctx, private readonly run: RunState) {}
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
    this.ctx.writes.attempt({ runId: this.run.rec.id, attempt, startedAt, endedAt: this.ctx.clock.now(), error: errorText(error) })
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
      finishRun(ctx, run, 'interrupted', { reason: 'shutdown: aborted after the grace period', recovery: 'pending', error: errorText(o.error) })
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
