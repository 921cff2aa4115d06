// The default escalation hook: log the permanent failure and, if configured, POST it to a webhook.
import type { Logger } from 'pino'
import type { EscalationEvent } from '../scheduler-types.ts'

/** Options for createEscalationHook. */
export interface EscalationHookOptions {
  logger: Logger
  /** Receives a JSON POST per escalation. Never logged: it may carry a token. */
  webhookUrl?: string
  timeoutMs?: number
  fetchImpl?: typeof fetch
}

/**
 * Creates an escalation hook for createScheduler's `onEscalation`. A webhook failure is logged (without the
 * URL) and never thrown: escalation must not break the scheduler.
 */
export function createEscalationHook(options: EscalationHookOptions): (event: EscalationEvent) => Promise<void> {
  const doFetch = options.fetchImpl ?? fetch
  return async (event) => {
    options.logger.error(
      { escalation: event },
      `escalation: job ${event.jobId} run ${event.runId} ${event.kind}: ${event.message}`,
    )
    if (!options.webhookUrl) return
    try {
      const res = await doFetch(options.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'airdrops-scheduler', ...event }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      })
      if (!res.ok)
        options.logger.error(
          { status: res.status, jobId: event.jobId },
          'escalation webhook answered with an error status',
        )
    } catch (err) {
      options.logger.error(
        { jobId: event.jobId, reason: err instanceof Error ? err.name : 'unknown' },
        'escalation webhook POST failed',
      )
    }
  }
}
