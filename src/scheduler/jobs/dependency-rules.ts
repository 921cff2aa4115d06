// Dependency trigger rules: how the ways a dependency's run can end decide whether its dependents run or are cancelled.
import type { RunStatus } from '../store/store-port.ts'

/**
 * When a dependent may run, after Airflow's trigger rules:
 * - `all_success` (default): every dependency's latest run succeeded;
 * - `none_failed`: every dependency ended without failing (succeeded, skipped, missed, or disabled and never ran);
 * - `all_done`: every dependency has ended, however it ended.
 */
export const TRIGGER_RULES = ['all_success', 'none_failed', 'all_done'] as const
/** One of TRIGGER_RULES. */
export type TriggerRule = (typeof TRIGGER_RULES)[number]

/** How a dependency stands for its dependents: a run's final status, or a job that never ran and never will. */
export type DependencyOutcome = RunStatus | 'disabled' | 'removed'

/** Final statuses that set a job's last outcome: every way a run ends except an interruption awaiting recovery. */
export const OUTCOME_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>([
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
  'missed',
  'interrupted',
  'needs_attention',
])

const ACCEPTS: Record<TriggerRule, ReadonlySet<DependencyOutcome>> = {
  all_success: new Set(['succeeded']),
  none_failed: new Set(['succeeded', 'skipped', 'missed', 'disabled']),
  all_done: new Set([...OUTCOME_STATUSES, 'disabled']),
}

/** True when a dependency that ended with `outcome` lets a dependent under `rule` run. */
export function ruleAccepts(rule: TriggerRule, outcome: DependencyOutcome): boolean {
  return ACCEPTS[rule].has(outcome)
}

const WORDING: Record<DependencyOutcome, string> = {
  pending: 'is pending',
  delayed: 'is delayed',
  held: 'is held',
  running: 'is running',
  retrying: 'is retrying',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'was cancelled',
  skipped: 'was skipped',
  missed: 'was missed',
  interrupted: 'was interrupted',
  needs_attention: 'needs attention',
  disabled: 'is disabled and never ran',
  removed: 'no longer exists',
}

/**
 * The reason a dependent is cancelled with: `dependency_<outcome>: <dep> <wording>[: <the dependency's reason>]`,
 * e.g. `dependency_skipped: a-swap was skipped: gas above cap until max delay`.
 */
export function dependencyCancelReason(depId: string, outcome: DependencyOutcome, depReason?: string | null): string {
  const why = depReason ? `: ${depReason}` : ''
  return `dependency_${outcome}: ${depId} ${WORDING[outcome]}${why}`
}
