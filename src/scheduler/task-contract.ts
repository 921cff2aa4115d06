// The contract between the scheduler and the code it runs: handlers, recovery hooks and the task catalog entry.
import type { ZodType } from 'zod'

/** What a handler receives for one attempt of one run. */
export interface RunContext {
  jobId: string
  runId: string
  /**
   * The run whose side effects this one continues: its own id, or for a run that replaces one interrupted by a crash
   * or a lost cluster lease, the first run of that chain. Key idempotent side effects (sends) on it: the replaced
   * run may have acted, or may still be acting elsewhere, and its replacement must find that work, not repeat it.
   */
  originRunId: string
  /** 1 for the first attempt, then 2, 3... for retries. */
  attempt: number
  /** The job's args, or the override given to runNow. */
  args: unknown
  metadata: Record<string, unknown>
  /** Aborted on timeout, cancel or shutdown; handlers must stop promptly when it fires. */
  signal: AbortSignal
}

/** Runs one attempt; its resolved value is stored as the run's result (JSON). Throw to fail the attempt. */
export type TaskHandler = (ctx: RunContext) => Promise<unknown>

/**
 * What to do with a run found `running` after a crash: `rerun` repeats it (safe for idempotent work);
 * `reconcile` asks the task's reconcile hook, for work that must not blindly repeat (e.g. sending a transaction).
 */
export type RecoveryPolicy = 'rerun' | 'reconcile'

/** The reconcile hook's verdict on an interrupted run. */
export type ReconcileOutcome =
  | { status: 'succeeded'; result?: unknown }
  | { status: 'failed'; error: string }
  | { status: 'rerun' }
  | { status: 'needs_attention'; reason: string }

/** Decides the fate of an interrupted run from durable evidence (e.g. the intent journal), never by guessing. */
export type ReconcileHook = (
  ctx: Omit<RunContext, 'signal' | 'attempt'> & { attempt: number },
) => Promise<ReconcileOutcome>

/** One entry of the task catalog: jobs name a task type so they can be persisted and reloaded by name. */
export interface TaskDefinition<A = unknown> {
  type: string
  handler: TaskHandler
  /** Validates a job's args when it is added (and overrides given to runNow). */
  argsSchema?: ZodType<A>
  recovery?: RecoveryPolicy
  reconcile?: ReconcileHook
  description?: string
}
