// The scheduler's public API as an interface (createScheduler in scheduler.ts implements it).
import type { EventFireResult } from './jobs/event-fire.ts'
import type { JobSpecInput } from './jobs/job-spec.ts'
import type { IfExists } from './jobs/jobs.ts'
import type { Explanation, JobView, OnceSummary, RunView, SchedulerEvents, SchedulerHealth } from './scheduler-types.ts'
import type { AttemptRecord, ListRunsQuery, Priority } from './store/store-port.ts'
import type { TaskDefinition } from './task-contract.ts'

/** The scheduler's public API. */
export interface Scheduler {
  registerTask(def: TaskDefinition): void
  /** Validates and adds a job; persisted before it returns (taskType jobs; inline-handler jobs live in memory). */
  addJob(spec: JobSpecInput, options?: { ifExists?: IfExists }): JobView
  /** Adds many jobs, written in chunked transactions; all are durable when it returns. */
  addJobs(specs: JobSpecInput[], options?: { ifExists?: IfExists }): string[]
  removeJob(jobId: string): void
  runNow(jobId: string, argsOverride?: unknown): string
  /** Reports the event an `event`-triggered job waits for: one run unless debounced, paused or overlapping. */
  fireEvent(jobId: string, detail: string): EventFireResult
  /** Cancels a waiting run at once, an executing one through its abort signal; `reason` is recorded on the run. */
  cancelRun(runId: string, reason?: string): boolean
  pause(jobId?: string): void
  resume(jobId?: string): void
  enable(jobId: string): void
  disable(jobId: string): void
  setPriority(jobId: string, priority: Priority): void
  setDependencies(jobId: string, dependencies: string[]): void
  definePool(name: string, capacity: number): void
  getJob(jobId: string): JobView | null
  listJobs(): JobView[]
  getRun(runId: string): RunView | null
  listRuns(query?: ListRunsQuery): { runs: RunView[]; nextCursor: string | null }
  listAttempts(runId: string): AttemptRecord[]
  explain(jobId: string): Explanation
  /** Arms the timer, starts dispatching and recovers interrupted runs; resolves once recovery was applied. */
  start(): Promise<void>
  /** Runs every enabled job once, in dependency order, in parallel where the DAG allows. */
  runOnce(): Promise<OnceSummary>
  /** Stops: no new runs; running ones get `graceMs`, then are aborted and recorded; the store is closed. */
  stop(options?: { graceMs?: number }): Promise<void>
  /** Re-asks the gate about held and delayed runs now (e.g. after a market tick). */
  recheckGate(): void
  /** Resolves once every state change made so far is committed; rejects if that write failed (it is retried). */
  persisted(): Promise<void>
  /** Deletes history per the retention setting; returns how many runs were deleted. */
  pruneHistory(): number
  /** Liveness for health checks: the loop is started, the store writable, and no due fire left unhandled. */
  health(): SchedulerHealth
  /** When the scheduler's next timer (a fire, a retry, a timeout) is due, epoch ms; null when none is armed. */
  nextWakeAt(): number | null
  on<K extends keyof SchedulerEvents>(event: K, fn: (payload: SchedulerEvents[K]) => void): () => void
  once<K extends keyof SchedulerEvents>(event: K, fn: (payload: SchedulerEvents[K]) => void): () => void
}
