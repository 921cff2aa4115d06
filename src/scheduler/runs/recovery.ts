// Crash recovery: runs found executing from a dead process become `interrupted`, then their job's recovery
// policy decides: `rerun` queues a fresh run, `reconcile` asks the task's hook and applies its verdict.
import { errorText, enqueue, finishRun, newRun, emit, type Ctx, type RunState } from '../scheduler-state.ts'
import { argsOf, originRunIdOf, taskOf } from './run-start.ts'

/**
 * Queues a fresh run that replaces an interrupted one (same args). It names the first run of the chain it
 * continues, so a replacement of a replacement still finds what the first one sent.
 */
function rerun(ctx: Ctx, run: RunState, recovery: string): void {
  finishRun(ctx, run, 'interrupted', { recovery })
  const fresh = newRun(ctx, run.job, 'recovery', 'pending', {
    recoveredFrom: originRunIdOf(run),
    argsJson: run.rec.argsJson,
    scheduledFor: run.rec.scheduledFor,
  })
  enqueue(ctx, fresh)
}

/**
 * Applies the recovery policy to each interrupted run. Reconcile hooks run concurrently; while one runs, its
 * job counts as busy so no new run of it can start before the verdict is known.
 */
export async function recoverInterrupted(ctx: Ctx, runs: RunState[]): Promise<void> {
  const waits: Promise<void>[] = []
  for (const run of runs) {
    emit(ctx, 'interrupted', () => ({ jobId: run.rec.jobId, runId: String(run.rec.id), run: { ...run.rec } }))
    ctx.log.warn(
      { jobId: run.rec.jobId, runId: run.rec.id },
      'run was interrupted by a stop or crash; applying its recovery policy',
    )
    const task = taskOf(ctx, run.job)
    const policy = run.job.spec.recovery ?? task?.recovery ?? 'rerun'
    if (!task) {
      finishRun(ctx, run, 'needs_attention', {
        recovery: 'unresolved',
        reason: `task type "${run.job.rec.taskType}" is not registered, so the interrupted run cannot be recovered`,
      })
      continue
    }
    if (policy === 'rerun') {
      rerun(ctx, run, 'rerun')
      continue
    }
    if (!task.reconcile) {
      finishRun(ctx, run, 'needs_attention', {
        recovery: 'unresolved',
        reason: 'recovery is reconcile but the task has no reconcile hook',
      })
      continue
    }
    run.job.busy++
    const hook = task.reconcile
    waits.push(
      (async () => {
        try {
          const out = await hook({
            jobId: run.rec.jobId,
            runId: String(run.rec.id),
            originRunId: String(originRunIdOf(run)),
            attempt: run.rec.attempt,
            args: argsOf(run),
            metadata: run.job.spec.metadata,
          })
          run.job.busy--
          switch (out.status) {
            case 'succeeded':
              finishRun(ctx, run, 'succeeded', {
                recovery: 'reconciled',
                resultJson: out.result === undefined ? null : JSON.stringify(out.result),
              })
              break
            case 'failed':
              finishRun(ctx, run, 'failed', { recovery: 'reconciled', error: out.error })
              break
            case 'rerun':
              rerun(ctx, run, 'reconciled: rerun')
              break
            case 'needs_attention':
              finishRun(ctx, run, 'needs_attention', { recovery: 'reconciled', reason: out.reason })
              break
            default:
              finishRun(ctx, run, 'needs_attention', {
                recovery: 'unresolved',
                reason: `reconcile hook answered ${JSON.stringify(out)}`,
              })
          }
        } catch (err) {
          run.job.busy--
          finishRun(ctx, run, 'needs_attention', {
            recovery: 'unresolved',
            reason: `reconcile hook failed: ${errorText(err)}`,
          })
        }
        ctx.kick()
      })(),
    )
  }
  ctx.kick()
  await Promise.all(waits)
}
