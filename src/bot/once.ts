// Runs every enabled job of a composed bot once, in dependency order, and reports per job for the CLI; bounded in time.
import { AppError } from '../errors/app-error.ts'
import type { OnceReport, ProgressEvent } from './services.ts'
import type { RunView } from '../scheduler/index.ts'
import type { BotRuntime } from './runtime.ts'
import { watchWaits } from './once-waits.ts'

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'skipped', 'missed', 'needs_attention', 'interrupted'])
const WAITING = new Set(['pending', 'delayed', 'held'])
/** Added to the plan's longest max delay for the default `--max-wait`: time to send and confirm after the wait. */
export const MAX_WAIT_MARGIN_MS = 120_000

/** How `--once` is bounded: the operator's signal and the longest it may take. */
export interface OnceOptions {
  signal?: AbortSignal
  /** Default: the plan's longest `maxDelay` (or the policy's default) plus MAX_WAIT_MARGIN_MS. */
  maxWaitMs?: number
}

/** Waits until a run reaches a terminal status. */
export function waitForRun(rt: BotRuntime, runId: string, signal: AbortSignal): Promise<RunView> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const r = rt.scheduler.getRun(runId)
      if (r && TERMINAL.has(r.status)) {
        off.forEach((f) => f())
        resolve(r)
      }
    }
    const off = (
      ['succeeded', 'failed', 'cancelled', 'skipped', 'missed', 'needs_attention', 'interrupted'] as const
    ).map((e) => rt.scheduler.on(e, check))
    signal.addEventListener(
      'abort',
      () => {
        off.forEach((f) => f())
        reject(signal.reason)
      },
      { once: true },
    )
    check()
  })
}

/** The default bound of `--once`: the longest a gas-sensitive job of the plan may be delayed, plus a margin. */
export function defaultMaxWaitMs(r: BotRuntime): number {
  let longest = r.policy.maxDelayMs
  for (const j of r.scheduler.listJobs()) {
    const d = j.metadata.maxDelayMs
    if (j.enabled && typeof d === 'number' && d > longest) longest = d
  }
  return longest + MAX_WAIT_MARGIN_MS
}

/**
 * Runs every enabled job once on a runtime and turns the scheduler's summary into the CLI's report. When the signal
 * aborts or `maxWaitMs` passes, every run still waiting is cancelled with a reason naming what it waited on, so
 * nothing is left pending and the report lists why each job did not run.
 */
export async function onceWith(
  r: BotRuntime,
  onProgress: (e: ProgressEvent) => void,
  o: OnceOptions = {},
): Promise<OnceReport> {
  if (r.config.store.cluster) {
    throw new AppError(
      'ONCE_CLUSTER',
      '--once runs every job here, which in a cluster would run each job on every instance that does it',
      { hint: 'use `bot run` on each instance, or run --once with a config without store.cluster' },
    )
  }
  await r.engine.reconcileOpenIntents()
  const started = new Set<string>()
  const offStarted = r.scheduler.on('started', (p) => {
    started.add(p.runId)
    onProgress({ kind: 'job', jobId: p.jobId, status: 'running' })
  })
  const offWaits = watchWaits(r.scheduler, onProgress)
  const maxWaitMs = o.maxWaitMs ?? defaultMaxWaitMs(r)
  let stopping: Promise<void> | null = null
  const stopWaiting = bound(o.signal, maxWaitMs, (why) => {
    cancelWaiting(r, why)
    // What is executing gets the shutdown grace, then is recorded interrupted (recovered by the next start).
    stopping = r.scheduler.stop()
  })
  try {
    const summary = await r.scheduler.runOnce()
    if (stopping) await stopping
    // Runs the plan itself scheduled (e.g. a rebalance's allocate_<protocol> jobs) belong to this --once too.
    const planned = new Set(summary.runs.map((x) => x.runId))
    const extra = stopping ? [] : [...started].filter((id) => !planned.has(id))
    const extraRuns = await Promise.all(extra.map((id) => waitForRun(r, id, AbortSignal.timeout(maxWaitMs + 60_000))))
    const jobs = [
      ...summary.runs.map((x) => ({
        jobId: x.jobId,
        runId: x.runId,
        status: x.status,
        error: x.error ?? x.reason ?? undefined,
      })),
      ...extraRuns.map((x) => ({
        jobId: x.jobId,
        runId: String(x.id),
        status: x.status,
        error: x.error ?? x.reason ?? undefined,
      })),
    ]
    return {
      ok: summary.ok && extraRuns.every((x) => x.status === 'succeeded'),
      stoppedBy: stopWaiting.reason() ?? undefined,
      jobs: jobs.map(({ runId, ...j }) => {
        // After an early stop the store is closed: durations are then left out.
        const run = stopping ? null : r.scheduler.getRun(runId)
        return { ...j, durationMs: run?.startedAt && run.endedAt ? run.endedAt - run.startedAt : undefined }
      }),
    }
  } finally {
    stopWaiting.dispose()
    offWaits()
    offStarted()
  }
}

/** Calls `onStop` once, with why, when `signal` aborts or `ms` passes; `dispose` disarms both. */
function bound(signal: AbortSignal | undefined, ms: number, onStop: (why: string) => void) {
  let why: string | null = null
  const stop = (w: string) => {
    if (why !== null) return
    why = w
    onStop(w)
  }
  const onAbort = () => stop(`--once was stopped (${signalName(signal?.reason)}) while it waited`)
  const timer = setTimeout(() => stop(`--max-wait of ${Math.round(ms / 1000)} s passed while it waited`), ms)
  timer.unref()
  if (signal?.aborted) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  return {
    reason: () => why,
    dispose() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    },
  }
}

function signalName(reason: unknown): string {
  const s = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : ''
  return /SIG[A-Z]+/.exec(s)?.[0] ?? 'by a signal'
}

/**
 * Cancels every run that has not started, recording what it waited on. What each waits on is read for all of them
 * before any is cancelled, so a dependent names the wait it had, not its dependency's cancellation.
 */
function cancelWaiting(r: BotRuntime, why: string): void {
  const waiting: { runId: string; reason: string }[] = []
  for (const job of r.scheduler.listJobs()) {
    if (job.activeRuns === 0) continue
    for (const run of r.scheduler.explain(job.id).runs) {
      if (!WAITING.has(run.status)) continue
      const on = run.waitingFor.length ? `: ${run.waitingFor.join('; ')}` : ''
      waiting.push({ runId: run.runId, reason: `not_run: ${why}${on}` })
    }
  }
  for (const w of waiting) r.scheduler.cancelRun(w.runId, w.reason)
}
