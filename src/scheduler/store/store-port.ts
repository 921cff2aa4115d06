// The port between the scheduler core and its durable store; SQLite implements it now, PostgreSQL later.

/** Priority names, highest first. */
export const PRIORITIES = ['critical', 'high', 'normal', 'low', 'lowest'] as const
export type Priority = (typeof PRIORITIES)[number]

/** Every status a run can have. Active ones keep a job busy; terminal ones are history. */
export const RUN_STATUSES = [
  'pending',
  'delayed',
  'held',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
  'missed',
  'interrupted',
  'needs_attention',
] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** Statuses of runs that have not finished (a crash leaves running/retrying ones behind). */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['pending', 'delayed', 'held', 'running', 'retrying']

/** Why a run exists. */
export type RunOrigin = 'schedule' | 'manual' | 'once' | 'recovery'

/** A job as stored: the validated spec (JSON, without an inline handler) plus its schedule state. */
export interface JobRecord {
  id: string
  taskType: string
  /** The validated job spec as JSON text; the store does not interpret it. */
  specJson: string
  enabled: boolean
  paused: boolean
  priority: Priority
  nextFireAt: number | null
  /** Nominal time of the last fire that was handled (run, missed or skipped). */
  lastFireAt: number | null
  /** Runs created by the trigger so far (for maxExecutions). */
  executions: number
  /** Status of the latest finished run, used for dependency decisions. */
  lastOutcome: RunStatus | null
  createdAt: number
  updatedAt: number
  /**
   * The highest run id whose effect on this row's fire state (lastFireAt, executions, nextFireAt) the row holds;
   * kept by stores that derive fire state from later schedule runs (loadUnreflectedFires).
   */
  stateRunId?: number
  /**
   * The highest outcome sequence number (see RunRecord.outcomeSeq) whose outcome this row's lastOutcome holds; kept
   * by stores that derive last outcomes from later runs (loadUnreflectedOutcomes).
   */
  outcomeSeq?: number
}

/** A schedule run the stored job row does not reflect yet (a fire whose job row was not rewritten before a crash). */
export interface UnreflectedFire {
  jobId: string
  runId: number
  status: RunStatus
  scheduledFor: number | null
}

/** A finished run whose outcome its job row does not hold yet (the row is rewritten in a later checkpoint). */
export interface UnreflectedOutcome {
  jobId: string
  status: RunStatus
  /** The run's place in completion order (RunRecord.outcomeSeq). */
  seq: number
}

/** One run of a job (one row of execution history). */
export interface RunRecord {
  id: number
  jobId: string
  status: RunStatus
  origin: RunOrigin
  scheduledFor: number | null
  createdAt: number
  startedAt: number | null
  endedAt: number | null
  /** Attempt number of the latest attempt (0 before the first starts). */
  attempt: number
  error: string | null
  resultJson: string | null
  /** runNow's args override as JSON, if any. */
  argsJson: string | null
  /** Why the run was cancelled, skipped, missed or needs attention. */
  reason: string | null
  gateAction: 'run' | 'delay' | 'skip' | 'hold' | null
  gateReason: string | null
  gateUntil: number | null
  /** For a `missed` record: how many fire times it stands for. */
  missedCount: number | null
  /** For a recovery rerun: the interrupted run it replaces, or the first run of a chain of such replacements. */
  recoveredFrom: number | null
  /** For an interrupted run: 'pending' until its recovery policy was applied, then what was done. */
  recovery: string | null
  /**
   * Completion order among runs that set their job's last outcome, numbered by a scheduler that defers job-row
   * writes (null otherwise, and before the run finished); stores that do not derive outcomes need not keep it.
   */
  outcomeSeq?: number | null
}

/** One failed attempt of a run (the final attempt's outcome is on the run itself). */
export interface AttemptRecord {
  runId: number
  attempt: number
  startedAt: number
  endedAt: number
  error: string | null
}

/** One write; a batch of them is applied atomically. */
export type StoreOp =
  | { op: 'putJob'; job: JobRecord }
  /** Updates only the schedule state of an existing job (not its spec): the frequent write, kept small. */
  /** `group` (in a cluster): the job's group, so a store shared by instances writes it only while that group is held. */
  | { op: 'putJobState'; job: Omit<JobRecord, 'specJson' | 'taskType' | 'createdAt'>; group?: string }
  | { op: 'deleteJob'; jobId: string }
  /** `unfenced`: a run created for a group another instance holds, written for that owner to take (cluster hand-off). */
  | { op: 'putRun'; run: RunRecord; unfenced?: true; group?: string }
  | { op: 'putAttempt'; attempt: AttemptRecord }
  | { op: 'setState'; key: string; value: string }
  /**
   * Every run with a smaller id is finished (the scheduler holds every unfinished run): a store may keep it, never
   * past a row of its own that is unfinished, so loading skips the history below it.
   */
  | { op: 'finishedBelow'; runId: number }

/** Filter and page for run history, newest first. */
export interface ListRunsQuery {
  jobId?: string
  status?: RunStatus
  limit?: number
  /** The `nextCursor` of the previous page. */
  cursor?: string
}

/** One page of run history. */
export interface RunPage {
  runs: RunRecord[]
  nextCursor: string | null
}

/**
 * What history to drop: runs ended before `endedBeforeMs`, and/or all but the newest `keepPerJob` per job. A store
 * that derives job state from runs keeps the runs their job row does not reflect yet, whatever their age.
 */
export interface PruneQuery {
  endedBeforeMs?: number
  keepPerJob?: number
}

/**
 * The durable store the scheduler talks to. Writes arrive as batches applied in one transaction
 * (all or nothing); reads are synchronous so the dispatch loop never awaits I/O.
 */
export interface SchedulerStore {
  /** Applies every op in one transaction; throws (and applies nothing) on failure. */
  applyBatch(ops: readonly StoreOp[]): void
  /**
   * Like applyBatch, for a store that can commit beside the scheduler's thread: returns null when the batch was
   * committed before returning (throws when it failed), else a promise of its commit. Batches commit in the
   * order given, and every later read or applyBatch sees them.
   */
  submitBatch?(ops: readonly StoreOp[]): Promise<void> | null
  loadJobs(): JobRecord[]
  getJob(jobId: string): JobRecord | null
  /** Runs whose status is active (pending, delayed, held, running, retrying) or interrupted with recovery pending. */
  loadUnfinishedRuns(): RunRecord[]
  /**
   * Schedule-origin runs above their job row's stateRunId, in id order. A store that has it lets a fire skip the
   * job row write (its run row carries the fire); the scheduler derives the fire state from these at load.
   */
  loadUnreflectedFires?(): UnreflectedFire[]
  /**
   * Runs numbered above `afterSeq` and above their job row's outcomeSeq, in completion order, and the highest number
   * any stored run carries. A store that has it (and loadUnreflectedFires) lets a finished run skip its job row write.
   */
  loadUnreflectedOutcomes?(afterSeq: number): { outcomes: UnreflectedOutcome[]; maxSeq: number }
  getRun(runId: number): RunRecord | null
  listRuns(query: ListRunsQuery): RunPage
  listAttempts(runId: number): AttemptRecord[]
  /** The highest run id ever stored (0 when none), so ids stay unique across restarts. */
  maxRunId(): number
  /**
   * A block of run ids no other process will use (stores shared by several instances have it); without it, ids
   * continue from maxRunId().
   */
  allocateRunIds?(): { first: number; count: number }
  getState(key: string): string | null
  /** Deletes finished runs (never active ones) and their attempts; returns how many runs were deleted. */
  pruneRuns(query: PruneQuery): number
  close(): void
}
