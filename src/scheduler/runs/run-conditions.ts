// Conditions a due run must meet besides dependencies and slots: its run windows and its dependency timeout.
import { windowState } from './run-window.ts'
import { finishRun, type Ctx, type RunState } from '../scheduler-state.ts'
import type { GateDecision } from '../scheduler-types.ts'

/** Outside its windows: delays the run to the next opening, or records it missed when that is past its grace. */
export function outsideWindow(
  ctx: Ctx,
  run: RunState,
  delay: (d: GateDecision & { action: 'delay' }) => void,
): boolean {
  const job = run.job
  const now = ctx.clock.now()
  const w = windowState(job.spec.windows!, now, job.spec.timezone ?? 'UTC')
  if (w.open) return false
  const grace = job.spec.misfireGraceTime ?? ctx.opts.defaultMisfireGraceTime
  const due = run.rec.scheduledFor ?? now
  if (w.nextOpening !== null && w.nextOpening - due <= grace) {
    delay({
      action: 'delay',
      until: w.nextOpening,
      reason: `outside_window: waits for the window opening at ${new Date(w.nextOpening).toISOString()}`,
    })
  } else {
    const opening =
      w.nextOpening === null
        ? 'no window opens again'
        : `the next opening ${new Date(w.nextOpening).toISOString()} is beyond misfireGraceTime ${grace} ms`
    finishRun(ctx, run, 'missed', { reason: `outside_window: ${opening}` })
  }
  return true
}

/** Cancels a run that has waited on its dependencies past `dependencyTimeout`; else wakes the loop at that time. */
export function dependencyTimedOut(ctx: Ctx, run: RunState, why: string): boolean {
  const limit = run.job.spec.dependencyTimeout!
  const since = run.rec.scheduledFor ?? run.rec.createdAt
  const deadline = since + limit
  if (ctx.clock.now() >= deadline) {
    finishRun(ctx, run, 'cancelled', { reason: `dependency_timeout: waited more than ${limit} ms (${why})` })
    return true
  }
  if (!run.depTimer)
    run.depTimer = ctx.timeline.at(deadline, () => {
      run.depTimer = null
      ctx.kick()
    })
  return false
}
