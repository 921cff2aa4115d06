// The bot's CentralScheduler facade: the core scheduler plus scheduleDynamically, which feeds its dispatch gate.
import type { RiskAssessment } from '../risk/assessment.ts'
import type { RiskManager } from '../risk/risk-manager.ts'
import type { Scheduler } from '../scheduler/index.ts'
import type { DispatchGate, GateDecision as CoreDecision, GateInput } from '../scheduler/index.ts'
import type { Priority } from '../scheduler/index.ts'
import {
  decideDispatch,
  type DueRun,
  type DynamicPolicyConfig,
  type GateDecision,
  type MarketData,
} from './dynamic-policy.ts'

/** The latest market picture the gate decides with. */
export interface MarketView {
  market: MarketData
  risk: RiskAssessment
}

/** The facade the rest of the bot (CLI, server, market tick) uses. */
export interface CentralScheduler {
  readonly core: Scheduler
  /** Installs a new market picture and re-asks the gate about delayed and held runs at once. */
  scheduleDynamically(market: MarketData, risk: RiskAssessment): void
  /** The picture the gate currently uses (null before the first market tick). */
  marketView(): MarketView | null
  manageTaskPriority(jobId: string, priority: Priority): void
  manageTaskDependencies(jobId: string, dependencies: string[]): void
  /** The dispatch gate to pass to createScheduler (it reads the facade's latest market view). */
  readonly gate: DispatchGate
  /** Binds the facade to its core scheduler (the gate exists before the scheduler is created). */
  bind(core: Scheduler): void
}

/** Options of the facade. */
export interface CentralSchedulerOptions {
  risk: RiskManager
  policy: DynamicPolicyConfig
  now?: () => number
  /** A market view older than this is refreshed by the gate itself before it decides (default 30 s). */
  maxViewAgeMs?: number
  /**
   * Told of each decision the gate makes on a gas-sensitive run (chart history records due-time base fees), by the
   * run's origin id: the one its transactions are journaled and their fees recorded under.
   */
  onDecision?: (originRunId: string, run: DueRun, decision: GateDecision, market: MarketData) => void
}

const GAS_SENSITIVE_TASKS = new Set(['protocol_call', 'send_calls'])

/** Maps what the core knows of a run, plus its job metadata, onto the dynamic policy's view of it. */
export function toDueRun(input: GateInput, now: number): DueRun | null {
  const m = input.metadata
  const chainId = typeof m.chainId === 'number' ? m.chainId : chainOfArgs(input.args)
  const gasSensitive = typeof m.gasSensitive === 'boolean' ? m.gasSensitive : GAS_SENSITIVE_TASKS.has(input.taskType)
  if (chainId === null)
    return gasSensitive ? { jobId: input.jobId, chainId: -1, dueAt: input.scheduledFor ?? now, gasSensitive } : null
  const big = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : undefined)
  const interval = typeof m.recurringIntervalMs === 'number' ? m.recurringIntervalMs : undefined
  const window = m.deadlineWindow as { releaseAt?: number; deadline?: number } | undefined
  return {
    jobId: input.jobId,
    chainId,
    dueAt: input.scheduledFor ?? now,
    critical: input.priority === 'critical',
    gasSensitive,
    recurring: interval && input.origin === 'schedule' ? { intervalMs: interval } : undefined,
    maxGasPrice: big(m.gasCap),
    maxDelayMs: typeof m.maxDelayMs === 'number' ? m.maxDelayMs : undefined,
    deadlineWindow:
      window && typeof window.releaseAt === 'number' && typeof window.deadline === 'number'
        ? { releaseAt: window.releaseAt, deadline: window.deadline }
        : undefined,
  }
}

function chainOfArgs(args: unknown): number | null {
  const a = args as { params?: Record<string, unknown>; calls?: { chainId?: unknown }[] } | null
  const p = a?.params
  const c = p?.chainId ?? p?.fromChainId ?? a?.calls?.[0]?.chainId
  return typeof c === 'number' ? c : null
}

/** Creates the facade; `gate` is handed to createScheduler and `bind` is called with the result. */
export function createCentralScheduler(options: CentralSchedulerOptions): CentralScheduler {
  const now = options.now ?? Date.now
  const maxAge = options.maxViewAgeMs ?? 30_000
  let view: MarketView | null = null
  let core: Scheduler | null = null
  let refreshing: Promise<void> | null = null

  const install = (risk: RiskAssessment) => {
    view = { market: { now: risk.at, gas: risk.gas }, risk }
  }
  const fresh = () => view !== null && now() - view.risk.at <= maxAge
  const refresh = async () => {
    refreshing ??= options.risk
      .assessCurrentRisk()
      .then(install)
      .finally(() => {
        refreshing = null
      })
    await refreshing
  }
  /** Decides on the view as it stands; the caller has made sure it is fresh when the run needs it. */
  const decide = (input: GateInput, at: number, due: DueRun | null): CoreDecision => {
    if (!view) return { action: 'hold', reason: 'no market assessment yet' }
    const run: DueRun = due ?? {
      jobId: input.jobId,
      chainId: -1,
      dueAt: input.scheduledFor ?? at,
      gasSensitive: false,
      critical: input.priority === 'critical',
    }
    const d = decideDispatch(run, { ...view.market, now: at }, view.risk, options.policy)
    if (run.gasSensitive) options.onDecision?.(input.originRunId, run, d, view.market)
    // Reasons that already open with their code are not prefixed again ("missed: missed: ...").
    const reason = d.code === 'ok' || d.reason.startsWith(`${d.code}:`) ? d.reason : `${d.code}: ${d.reason}`
    if (d.action === 'delay') return { action: 'delay', until: d.until, reason }
    return { action: d.action, reason } as CoreDecision
  }
  // Answers at once while the market view is fresh: an answer the scheduler has to await costs each run a turn of
  // the event loop and a store commit of its own before it starts (the trigger lag of every run fired with it).
  const gate: DispatchGate = (input) => {
    const at = now()
    const due = toDueRun(input, at)
    const needsView = due !== null || input.priority !== 'critical'
    if (!needsView || fresh()) return decide(input, at, due)
    return refresh().then(() => {
      const later = now()
      return decide(input, later, toDueRun(input, later))
    })
  }
  const need = () => {
    if (!core) throw new Error('central scheduler is not bound to a core scheduler')
    return core
  }
  return {
    get core() {
      return need()
    },
    gate,
    bind(s) {
      core = s
    },
    scheduleDynamically(market, risk) {
      view = { market, risk }
      need().recheckGate()
    },
    marketView: () => view,
    manageTaskPriority: (jobId, p) => need().setPriority(jobId, p),
    manageTaskDependencies: (jobId, deps) => need().setDependencies(jobId, deps),
  }
}
