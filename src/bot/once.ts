// Runs every enabled job of a composed bot once, in dependency order, and reports per job for the CLI.
import { AppError } from '../errors/app-error.ts'
import type { OnceReport, ProgressEvent } from './services.ts'
import type { RunView } from '../scheduler/index.ts'
import type { BotRuntime } from './runtime.ts'

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'skipped', 'missed', 'needs_attention', 'interrupted'])

/** Waits until a run reaches a terminal status. */
export function waitForRun(rt: BotRuntime, runId: string, signal: AbortSignal): Promise<RunView> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const r = rt.scheduler.getRun(runId)
      if (r && TERMINAL.has(r.status)) { off.forEach((f) => f()); resolve(r) }
    }
    const off = (['succeeded', 'failed', 'cancelled', 'skipped', 'missed', 'needs_attention'] as const)
      .map((e) => rt.scheduler.on(e, check))
    signal.addEventListener('abort', () => { off.forEach((f) => f()); reject(signal.reason) }, { once: true })
    check()
  })
}

/** Runs every enabled job once on a runtime and turns the scheduler's summary into the CLI's report. */
export async function onceWith(r: BotRuntime, onProgress: (e: ProgressEvent) => void): Promise<OnceReport> {
  if (r.config.store.cluster) {
    throw new AppError('ONCE_CLUSTER', '--once runs every job here, which in a cluster would run each job on every instance that does it',
      { hint: 'use `bot run` on each instance, or run --once with a config without store.cluster' })
  }
  await r.engine.reconcileOpenIntents()
  const started = new Set<string>()
  const off = r.scheduler.on('started', (p) => {
    started.add(p.runId)
    onProgress({ kind: 'job', jobId: p.jobId, status: 'running' })
  })
  const summary = await r.scheduler.runOnce().finally(off)
  // Runs the plan itself scheduled (e.g. a rebalance's allocate_<protocol> jobs) belong to this --once too.
  const planned = new Set(summary.runs.map((x) => x.runId))
  const extra = [...started].filter((id) => !planned.has(id))
  const extraRuns = await Promise.all(extra.map((id) => waitForRun(r, id, AbortSignal.timeout(600_000))))
  const jobs = [...summary.runs.map((x) => ({ jobId: x.jobId, runId: x.runId, status: x.status, error: x.error ?? x.reason ?? undefined })),
    ...extraRuns.map((x) => ({ jobId: x.jobId, runId: String(x.id), status: x.status, error: x.error ?? x.reason ?? undefined }))]
  return {
    ok: summary.ok && extraRuns.every((x) => x.status === 'succeeded'),
    jobs: jobs.map(({ runId, ...j }) => {
      const run = r.scheduler.getRun(runId)
      return { ...j, durationMs: run?.startedAt && run.endedAt ? run.endedAt - run.startedAt : undefined }
    }),
  }
}
