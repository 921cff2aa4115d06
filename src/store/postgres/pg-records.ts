// Row mapping of the scheduler's records on PostgreSQL: a `jobs` or `runs` row (snake_case, BIGINT epoch ms as
// numbers) to the store port's JobRecord and RunRecord, shared by the store and the cluster coordinator.
import type { JobRecord } from '../../scheduler/store/store-port.ts'

/** A row as the worker returns it. */
export type Row = Record<string, unknown>

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v))

/** A `jobs` row as a JobRecord. */
export function toJob(r: Row): JobRecord {
  return {
    id: r.id as string,
    taskType: r.task_type as string,
    specJson: r.spec_json as string,
    enabled: r.enabled === true,
    paused: r.paused === true,
    priority: r.priority as JobRecord['priority'],
    nextFireAt: n(r.next_fire_at),
    lastFireAt: n(r.last_fire_at),
    executions: Number(r.executions),
    lastOutcome: (r.last_outcome as JobRecord['lastOutcome']) ?? null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  }
}

export { toRun } from '../run-row.ts'
