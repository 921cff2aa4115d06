// Runs every enabled job of a composed bot once, in dependency order, and reports per job for the CLI.
import type { OnceReport, ProgressEvent } from '../cli/services.ts'
import type { BotRuntime } from './runtime.ts'

/** Runs every enabled job once on a runtime and turns the scheduler's summary into the CLI's report. */
export async function onceWith(r: BotRuntime, onProgress: (e: ProgressEvent) => void): Promise<OnceReport> {
  await r.engine.reconcileOpenIntents()
  const off = r.scheduler.on('started', (p) => onProgress({ kind: 'job', jobId: p.jobId, status: 'running' }))
  const summary = await r.scheduler.runOnce().finally(off)
  return {
    ok: summary.ok,
    jobs: summary.runs.map((x) => {
      const run = r.scheduler.getRun(x.runId)
      const durationMs = run?.startedAt && run.endedAt ? run.endedAt - run.startedAt : undefined
      return { jobId: x.jobId, status: x.status, error: x.error ?? x.reason ?? undefined, durationMs }
    }),
  }
}
