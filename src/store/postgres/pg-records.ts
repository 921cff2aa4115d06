// Row mapping of the scheduler's records on PostgreSQL: a `jobs` or `runs` row (snake_case, BIGINT epoch ms as
// numbers) to the store port's JobRecord and RunRecord, shared by the store and the cluster coordinator.
import type { JobRecord, RunRecord } from '../../scheduler/store/store-port.ts'

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

/** A `runs` row as a RunRecord. */
export function toRun(r: Row): RunRecord {
  return {
    id: Number(r.id),
    jobId: r.job_id as string,
    status: r.status as RunRecord['status'],
    origin: r.origin as RunRecord['origin'],
    scheduledFor: n(r.scheduled_for),
    createdAt: Number(r.created_at),
    startedAt: n(r.started_at),
    endedAt: n(r.ended_at),
    attempt: Number(r.attempt),
    error: (r.error as string | null) ?? null,
    resultJson: (r.result_json as string | null) ?? null,
    argsJson: (r.args_json as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    gateAction: (r.gate_action as RunRecord['gateAction']) ?? null,
    gateReason: (r.gate_reason as string | null) ?? null,
    gateUntil: n(r.gate_until),
    missedCount: n(r.missed_count),
    recoveredFrom: n(r.recovered_from),
    recovery: (r.recovery as string | null) ?? null,
  }
}
