// Scheduler and lifecycle events as notifications: escalations, long delays, start, stop and crash recovery.
import type { Scheduler } from '../scheduler/index.ts'
import { redactSecrets } from '../logging/redact.ts'
import type { Notifier } from './notifier.ts'

/** Options of attachScheduler. */
export interface SchedulerHookOptions {
  /** A run delayed past its due time by more than this is reported once. */
  jobDelayedAfterMs: number
  now?: () => number
}

/**
 * Subscribes to the scheduler's events; returns the unsubscribe function. Handlers only queue an outbox row
 * (a few hundred microseconds): the run loop is never waited on.
 */
export function attachScheduler(
  scheduler: Pick<Scheduler, 'on'>,
  notifier: Pick<Notifier, 'emit'>,
  options: SchedulerHookOptions,
): () => void {
  const now = options.now ?? Date.now
  const delayedSeen = new Set<string>()
  const offs = [
    scheduler.on('escalated', (e) => {
      const failed = e.kind === 'failed'
      notifier.emit({
        kind: 'run_failed',
        severity: 'error',
        title: failed
          ? `job ${e.jobId} failed after ${e.attempt} attempt(s): ${redactSecrets(e.message).slice(0, 200)}`
          : `job ${e.jobId} needs attention: ${redactSecrets(e.message).slice(0, 200)}`,
        action: failed
          ? `see \`bot history --job ${e.jobId}\`; fix the cause, then \`bot run-task ${e.jobId}\` or wait for its next fire`
          : `inspect it with \`bot explain ${e.jobId}\`; its transactions are not settled`,
        dedupKey: `run_failed:${e.jobId}:${e.kind}`,
        fields: { job: e.jobId, run: e.runId },
      })
    }),
    scheduler.on('delayed', (e) => {
      const due = e.run.scheduledFor ?? e.run.createdAt
      const late = now() - due
      if (late <= options.jobDelayedAfterMs || delayedSeen.has(e.runId)) return
      delayedSeen.add(e.runId)
      if (delayedSeen.size > 10_000) delayedSeen.clear()
      notifier.emit({
        kind: 'job_delayed',
        severity: 'warning',
        title: `job ${e.jobId} is ${Math.round(late / 60_000)} min late: ${e.reason}`,
        action: `it waits until ${new Date(e.until).toISOString()}; raise its gasCap or maxDelay if it must not wait`,
        dedupKey: `job_delayed:${e.jobId}`,
        fields: { job: e.jobId, run: e.runId },
      })
    }),
  ]
  return () => {
    for (const off of offs) off()
  }
}

/** What a start found to recover from an unclean stop. */
export interface StartReport {
  interruptedRuns: number
  reconciledIntents: number
}

/** Reports a start: `bot_recovered` (warning) when a crash left work to recover, else `bot_started`. */
export function notifyStarted(notifier: Pick<Notifier, 'emit'>, report: StartReport, at = Date.now()): void {
  const recovered = report.interruptedRuns > 0 || report.reconciledIntents > 0
  notifier.emit(
    recovered
      ? {
          kind: 'bot_recovered',
          severity: 'warning',
          at,
          title: `bot restarted after an unclean stop: ${report.interruptedRuns} interrupted run(s), ${report.reconciledIntents} open transaction(s) reconciled`,
          action: 'check `bot history` for the recovered runs; find why the process stopped (OOM, kill, host restart)',
          dedupKey: `bot_recovered:${at}`,
          fields: {},
        }
      : {
          kind: 'bot_started',
          severity: 'info',
          at,
          title: 'bot started',
          action: 'nothing to do',
          dedupKey: `bot_started:${at}`,
          fields: {},
        },
  )
}

/** Reports a stop (`reason`: a signal, an error name). */
export function notifyStopped(notifier: Pick<Notifier, 'emit'>, reason: string, at = Date.now()): void {
  notifier.emit({
    kind: 'bot_stopped',
    severity: 'warning',
    at,
    title: `bot stopped (${reason.slice(0, 80)})`,
    action: 'jobs do not run until it is started again (`bot run`)',
    dedupKey: `bot_stopped:${at}`,
    fields: {},
  })
}
