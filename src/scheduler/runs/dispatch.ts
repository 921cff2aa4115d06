// The dispatch pass: picks due runs by priority (FIFO within one), checks dependencies, instances, slots and
// resource pools, asks the gate, then hands the runs to start (run-start.ts).
import { dependencyCancelReason, ruleAccepts } from '../jobs/dependency-rules.ts'
import { DispatchGateError } from '../gate-error.ts'
import { dependencyTimedOut, outsideWindow } from './run-conditions.ts'
import { windowState } from './run-window.ts'
import { argsOf, launch, markStarted, originRunIdOf, release, reserve, taskOf } from './run-start.ts'
import {
  emit,
  enqueue,
  errorText,
  finishRun,
  runPayload,
  unqueue,
  type Ctx,
  type JobState,
  type RunState,
} from '../scheduler-state.ts'
import type { GateDecision, GateInput } from '../scheduler-types.ts'

/**
 * How a job's dependencies stand under its trigger rule: 'ok' when the rule accepts each one's latest outcome and
 * none is active; 'wait' while one is active or has not run yet; 'failed' (the dependent is cancelled with `why`)
 * when one ended in a way the rule does not accept, so the dependent can never run on this outcome.
 */
export function dependencyState(
  ctx: Ctx,
  job: JobState,
): { state: 'ok' | 'wait' | 'failed'; dep?: string; why?: string } {
  const rule = job.spec.triggerRule ?? 'all_success'
  for (const id of job.spec.dependencies) {
    const dep = ctx.jobs.get(id)
    if (!dep) return { state: 'failed', dep: id, why: dependencyCancelReason(id, 'removed') }
    if (dep.active.size > 0) return { state: 'wait', dep: id, why: `dependency ${id} has a run in progress` }
    const last = dep.rec.lastOutcome
    if (last === null && dep.rec.enabled) return { state: 'wait', dep: id, why: `dependency ${id} has not run yet` }
    const outcome = last ?? 'disabled'
    if (ruleAccepts(rule, outcome)) continue
    return { state: 'failed', dep: id, why: dependencyCancelReason(id, outcome, last === null ? null : dep.lastReason) }
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
  if (job.busy >= job.spec.maxInstances)
    out.push(`maxInstances ${job.spec.maxInstances} reached: a previous run is still executing`)
  if (job.spec.windows && run.rec.origin !== 'manual') {
    const w = windowState(job.spec.windows, ctx.clock.now(), job.spec.timezone ?? 'UTC')
    if (!w.open)
      out.push(
        `outside its run windows${w.nextOpening === null ? '' : ` until ${new Date(w.nextOpening).toISOString()}`}`,
      )
  }
  const d = dependencyState(ctx, job)
  if (d.state !== 'ok') out.push(d.why!)
  if (ctx.executing >= ctx.opts.maxConcurrentJobs)
    out.push(`all ${ctx.opts.maxConcurrentJobs} slots (maxConcurrentJobs) are in use`)
  out.push(...ctx.pools.shortages(job.spec.resources).map((s) => `resources: ${s}`))
  if (ctx.storeBroken) out.push('the store cannot be written; starts are held until it can')
  return out
}

function gateInput(ctx: Ctx, run: RunState): GateInput {
  const j = run.job
  return {
    runId: String(run.rec.id),
    originRunId: String(originRunIdOf(run)),
    jobId: j.rec.id,
    taskType: j.rec.taskType,
    priority: j.rec.priority,
    origin: run.rec.origin,
    scheduledFor: run.rec.scheduledFor,
    args: argsOf(run),
    metadata: j.spec.metadata,
    previous: run.rec.gateAction ? { action: run.rec.gateAction, reason: run.rec.gateReason } : null,
  }
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
        if (
          job.spec.windows &&
          run.rec.origin !== 'manual' &&
          outsideWindow(ctx, run, (d) => applyDecision(ctx, run, d))
        ) {
          queue.delete(run)
          continue
        }
        const deps = job.spec.dependencies.length ? dependencyState(ctx, job) : { state: 'ok' as const }
        if (deps.state === 'failed') {
          finishRun(ctx, run, 'cancelled', { reason: deps.why! })
          again = true
          continue
        }
        if (
          deps.state === 'wait' &&
          job.spec.dependencyTimeout !== undefined &&
          dependencyTimedOut(ctx, run, deps.why!)
        ) {
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
    d &&
    (d.action === 'run' ||
      ((d.action === 'skip' || d.action === 'hold') && typeof d.reason === 'string') ||
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
