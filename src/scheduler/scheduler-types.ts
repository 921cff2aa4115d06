// Public types of the scheduler: options, the dispatch gate, event payloads, views and the --once summary.
import type { Logger } from 'pino'
import type { Clock } from './time/clock.ts'
import type { ClusterOptions } from './cluster/cluster-types.ts'
import type { Priority, RunOrigin, RunRecord, RunStatus, SchedulerStore } from './store/store-port.ts'
import type { TriggerRule } from './jobs/dependency-rules.ts'

/** What the dispatch gate sees of a run about to start. */
export interface GateInput {
  runId: string
  /** The run this one carries on: itself, or the interrupted run it recovers. Side effects (a transaction
   *  journal, a record of the run's delays) are keyed by it, so a recovery continues its original's record. */
  originRunId: string
  jobId: string
  taskType: string
  priority: Priority
  origin: RunOrigin
  scheduledFor: number | null
  args: unknown
  metadata: Record<string, unknown>
  /** The previous decision on this run (after a delay or hold), if any. */
  previous: { action: GateAction; reason: string | null } | null
}

/** The gate's answer: start now, wait until a time, drop this run, or hold it until re-checked. */
export type GateDecision =
  | { action: 'run'; reason?: string }
  | { action: 'delay'; until: number; reason: string }
  | { action: 'skip'; reason: string }
  | { action: 'hold'; reason: string }
export type GateAction = GateDecision['action']

/** A pluggable policy consulted before each due run starts (market awareness plugs in here). */
export type DispatchGate = (run: GateInput) => GateDecision | Promise<GateDecision>

/** What the escalation hook receives when a run fails permanently or needs a human. */
export interface EscalationEvent {
  kind: 'failed' | 'needs_attention'
  jobId: string
  runId: string
  attempt: number
  /** A secret-free message (error message or reason). */
  message: string
  at: number
}

/** History retention: drop finished runs older than `maxAgeMs` and/or beyond the newest `keepPerJob` per job. */
export interface RetentionOptions {
  maxAgeMs?: number
  keepPerJob?: number
  /** How often to prune while running (default one hour). */
  intervalMs?: number
}

/** Options of createScheduler. Durations are milliseconds. */
export interface SchedulerOptions {
  store: SchedulerStore
  /** Several instances share the store: each job group runs on the instance holding its lease. */
  cluster?: ClusterOptions
  /**
   * Opened to read and control, never started (a state view): loading writes nothing, since a live bot may own
   * the runs it finds executing (the bot marks them interrupted itself when it next starts).
   */
  view?: boolean
  clock?: Clock
  logger?: Logger
  /** Runs executing at once, over all jobs (default 4). */
  maxConcurrentJobs?: number
  defaultMaxRetries?: number
  defaultRetryDelay?: number
  maxRetryDelay?: number
  /** Default misfire grace (default 60 s). */
  defaultMisfireGraceTime?: number
  resourcePools?: Record<string, number>
  retention?: RetentionOptions
  gate?: DispatchGate
  /** How often held runs are re-checked without an explicit recheckGate() (default 60 s). */
  holdRecheckMs?: number
  /** Default grace for stop() (default 30 s). */
  shutdownGraceMs?: number
  onEscalation?: (event: EscalationEvent) => void | Promise<void>
  /** Random source in [0,1) for retry jitter; tests pass a fixed one. */
  random?: () => number
}

/** A run as the API shows it. */
export type RunView = RunRecord

/** Payload of every run event. */
export interface RunEvent {
  jobId: string
  runId: string
  run: RunView
}

/** The scheduler's typed event map. */
export interface SchedulerEvents {
  scheduled: { jobId: string; nextFireAt: number | null }
  started: RunEvent
  succeeded: RunEvent & { result: unknown }
  failed: RunEvent & { error: string }
  retrying: RunEvent & { error: string; delayMs: number }
  cancelled: RunEvent & { reason: string }
  missed: RunEvent & { count: number }
  delayed: RunEvent & { until: number; reason: string }
  held: RunEvent & { reason: string }
  skipped: RunEvent & { reason: string }
  interrupted: RunEvent
  needs_attention: RunEvent & { reason: string }
  escalated: EscalationEvent
}

/** A job as the API shows it. */
export interface JobView {
  id: string
  taskType: string
  persistent: boolean
  trigger: string
  priority: Priority
  enabled: boolean
  paused: boolean
  nextFireAt: number | null
  lastFireAt: number | null
  executions: number
  lastOutcome: RunStatus | null
  dependencies: string[]
  /** When the job runs given how its dependencies ended (all_success unless set). */
  triggerRule: TriggerRule
  resources: Record<string, number>
  maxInstances: number
  activeRuns: number
  metadata: Record<string, unknown>
  /** For event triggers: what fires the job (`kind` and its fields), so the embedding app can watch for it. */
  eventOn: ({ kind: string } & Record<string, unknown>) | null
}

/** Why a job waits, for `bot explain`. */
export interface Explanation {
  jobId: string
  state: 'idle' | 'waiting' | 'running' | 'paused' | 'disabled'
  nextFireAt: number | null
  trigger: string
  lastOutcome: RunStatus | null
  lastMissed: { count: number; latestMissed: number | null; at: number } | null
  dependencies: string[]
  triggerRule: TriggerRule
  runs: { runId: string; status: RunStatus; waitingFor: string[] }[]
  reasons: string[]
}

/** The result of runOnce(). */
export interface OnceSummary {
  total: number
  counts: Partial<Record<RunStatus, number>>
  runs: { jobId: string; runId: string; status: RunStatus; error: string | null; reason: string | null }[]
  ok: boolean
}

/** What `health()` reports; `overdueMs` is how late the most overdue enabled job's fire is (0 when none). */
export interface SchedulerHealth {
  running: boolean
  /** Paused as a whole (every job waits). */
  paused: boolean
  storeOk: boolean
  lastLoopAt: number | null
  overdueMs: number
}
