// The scheduler's public entry: everything other modules may use. Internals stay behind it (see README.md).
export { createScheduler, type IfExists, type Scheduler } from './scheduler.ts'
export type {
  DispatchGate,
  EscalationEvent,
  Explanation,
  GateAction,
  GateDecision,
  GateInput,
  JobView,
  OnceSummary,
  RunEvent,
  RunView,
  SchedulerEvents,
  SchedulerHealth,
  SchedulerOptions,
} from './scheduler-types.ts'
export type {
  ReconcileHook,
  ReconcileOutcome,
  RecoveryPolicy,
  RunContext,
  TaskDefinition,
  TaskHandler,
} from './task-contract.ts'
export {
  ACTIVE_RUN_STATUSES,
  PRIORITIES,
  RUN_STATUSES,
  type AttemptRecord,
  type JobRecord,
  type ListRunsQuery,
  type Priority,
  type PruneQuery,
  type RunOrigin,
  type RunPage,
  type RunRecord,
  type RunStatus,
  type SchedulerStore,
  type StoreOp,
  type UnreflectedFire,
  type UnreflectedOutcome,
} from './store/store-port.ts'
export type {
  ClusterControl,
  ClusterCoordinator,
  ClusterOptions,
  GainedGroup,
  HeartbeatReport,
} from './cluster/cluster-types.ts'
export type { JobSpec, JobSpecInput } from './jobs/job-spec.ts'
export { noopTask } from './builtin-tasks.ts'
export { backoffDelay } from './runs/run-executor.ts'
export { createEscalationHook, type EscalationHookOptions } from './runs/escalation.ts'
export { runWindowSchema, type RunWindow } from './runs/run-window.ts'
export {
  cronSpecSchema,
  dateSpecSchema,
  eventSpecSchema,
  intervalSpecSchema,
  manualSpecSchema,
  normalizeTrigger,
  parseShortPattern,
  recurrenceSpecSchema,
  SHORT_PATTERNS,
  timeZoneSchema,
} from './triggers/spec.ts'
export { TRIGGER_RULES, type TriggerRule } from './jobs/dependency-rules.ts'
export { createTestClock, type TestClock } from './time/test-clock.ts'
export { createRealClock, type Clock, type RealClockOptions } from './time/clock.ts'
