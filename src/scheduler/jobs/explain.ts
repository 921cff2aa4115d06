// Explains why a job waits: pause, dependencies, instances, slots, resources, gate decisions, misfires, next fire.
import { blockersOf } from '../runs/dispatch.ts'
import type { Ctx, JobState } from '../scheduler-state.ts'
import type { Explanation } from '../scheduler-types.ts'

/** Builds the explanation of one job's state from the live scheduler state. */
export function explainJob(ctx: Ctx, job: JobState): Explanation {
  const runs: Explanation['runs'] = []
  let executing = false
  for (const run of job.active) {
    const s = run.rec.status
    let waitingFor: string[] = []
    if (s === 'running' || s === 'retrying') executing = true
    if (s === 'pending') {
      waitingFor = blockersOf(ctx, run)
      // Nothing blocks it: it is between dispatch passes, or an async gate is deciding on it right now.
      if (waitingFor.length === 0)
        waitingFor = ['nothing: it starts at the next dispatch pass (or its gate is deciding)']
    } else if (s === 'delayed') waitingFor = [`gate delayed it until ${iso(run.rec.gateUntil)}: ${run.rec.gateReason}`]
    else if (s === 'held')
      waitingFor = [
        `gate holds it: ${run.rec.gateReason} (re-checked on recheckGate() or every ${ctx.opts.holdRecheckMs} ms)`,
      ]
    else if (s === 'retrying') waitingFor = [`retry backoff after attempt ${run.rec.attempt}: ${run.rec.error}`]
    else if (s === 'interrupted') waitingFor = ['recovery of an interrupted run is in progress']
    runs.push({ runId: String(run.rec.id), status: s, waitingFor })
  }
  const reasons: string[] = []
  if (!job.rec.enabled) reasons.push('job is disabled')
  if (job.rec.paused) reasons.push('job is paused')
  if (ctx.globalPaused) reasons.push('scheduler is paused')
  if (job.busy > 0 && !executing)
    reasons.push('a previous handler has not returned after its abort; the job stays blocked until it does')
  for (const r of runs) for (const w of r.waitingFor) reasons.push(`run ${r.runId}: ${w}`)
  if (job.lastMissed) {
    reasons.push(
      `misfire: ${job.lastMissed.count} fire time(s) missed, latest ${iso(job.lastMissed.latestMissed)} (beyond misfireGraceTime)`,
    )
  }
  if (job.rec.enabled) {
    if (job.rec.nextFireAt !== null)
      reasons.push(`next fire at ${iso(job.rec.nextFireAt)} (${job.schedule.describe()})`)
    else if (job.schedule.kind === 'manual') reasons.push('manual trigger: runs only on runNow or --once')
    else if (job.schedule.kind === 'event') {
      reasons.push(
        `event trigger: runs ${job.schedule.describe()}; last fired ${job.rec.lastFireAt === null ? 'never' : iso(job.rec.lastFireAt)}`,
      )
    } else if (job.spec.maxExecutions !== undefined && job.rec.executions >= job.spec.maxExecutions) {
      reasons.push(`maxExecutions ${job.spec.maxExecutions} reached`)
    } else reasons.push('trigger will not fire again')
  }
  const state: Explanation['state'] = !job.rec.enabled
    ? 'disabled'
    : job.rec.paused || ctx.globalPaused
      ? 'paused'
      : executing
        ? 'running'
        : runs.length > 0
          ? 'waiting'
          : 'idle'
  return {
    jobId: job.rec.id,
    state,
    nextFireAt: job.rec.nextFireAt,
    trigger: job.schedule.describe(),
    lastOutcome: job.rec.lastOutcome,
    lastMissed: job.lastMissed,
    dependencies: [...job.spec.dependencies],
    triggerRule: job.spec.triggerRule ?? 'all_success',
    runs,
    reasons,
  }
}

function iso(ms: number | null): string {
  return ms === null ? 'never' : new Date(ms).toISOString()
}
