// Read views for `bot status` and `bot explain`: scheduler state, breaker, market picture, waiting reasons.
import type { JobExplanation, StatusReport } from './services.ts'
import type { BotRuntime } from './runtime.ts'
import { savingsReport } from '../history/index.ts'
import type { Db } from '../store/database.ts'

/** What the views read: a running runtime or the read-only state view. */
export type StateSource = Pick<BotRuntime, 'scheduler' | 'breaker'> & { facade?: BotRuntime['facade']; db?: Db }

type WaitKind = JobExplanation['waitingOn'][number]['kind']

/** Scheduler, breaker, next runs and the latest market picture. */
export function statusReport(rt: StateSource, running = false): StatusReport {
  const jobs = rt.scheduler.listJobs()
  const b = rt.breaker.status()
  const view = rt.facade?.marketView() ?? null
  return {
    scheduler:
      rt.scheduler.health().paused || (jobs.length > 0 && jobs.every((j) => j.paused))
        ? 'paused'
        : running
          ? 'running'
          : 'stopped',
    breaker: {
      state: b.state,
      reason: b.causes.map((c) => c.detail).join('; ') || b.manualHalt || undefined,
      since: b.openedAt,
      resetsAt: b.resetEligibleAt,
    },
    jobs: {
      total: jobs.length,
      enabled: jobs.filter((j) => j.enabled).length,
      paused: jobs.filter((j) => j.paused).length,
      running: jobs.reduce((s, j) => s + j.activeRuns, 0),
    },
    nextRuns: jobs
      .filter((j) => j.nextFireAt !== null)
      .sort((a, b) => a.nextFireAt! - b.nextFireAt!)
      .slice(0, 10)
      .map((j) => ({ jobId: j.id, at: j.nextFireAt! })),
    market: view
      ? Object.values(view.risk.gas).map((g) => ({
          chainId: g.chainId,
          baseFeeGwei: g.baseFee === null ? undefined : Number(g.baseFee) / 1e9,
          volatility: view.risk.volatility.level,
          updatedAt: view.risk.at,
        }))
      : undefined,
    ...(rt.db ? { savings: savingsReport(rt.db) ?? undefined } : {}),
  }
}

/** Classifies a waiting reason text into the kind `bot explain` shows. */
export function reasonKind(text: string): WaitKind {
  if (/^(gas_|gas )|gas price|base fee/.test(text)) return 'gas'
  if (/thinned/.test(text)) return 'thinning'
  if (/breaker/.test(text)) return 'breaker'
  if (/depend/.test(text)) return 'dependency'
  if (/misfire|missed/.test(text)) return 'misfire'
  if (/paused/.test(text)) return 'paused'
  if (/disabled/.test(text)) return 'disabled'
  if (/resource|pool/.test(text)) return 'resources'
  if (/next fire|schedule|trigger/.test(text)) return 'schedule'
  return 'other'
}

/** Why a job waits: the core's explanation plus the gate decision recorded on its latest run. */
export function explainJob(rt: StateSource, jobId: string): JobExplanation {
  const e = rt.scheduler.explain(jobId)
  const latest = rt.scheduler.listRuns({ jobId, limit: 1 }).runs[0]
  const waitingOn = [...e.reasons, ...e.runs.flatMap((r) => r.waitingFor)].map((detail) => ({
    kind: reasonKind(detail),
    detail,
  }))
  return {
    jobId,
    state: e.state,
    nextFireAt: e.nextFireAt,
    dependencies: e.dependencies,
    triggerRule: e.triggerRule,
    waitingOn,
    lastDecision: latest?.gateAction
      ? { decision: latest.gateAction, reason: latest.gateReason ?? '', at: latest.createdAt }
      : undefined,
  }
}
