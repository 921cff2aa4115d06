// A `runs` row (snake_case columns) as the store port's RunRecord, for both stores: SQLite answers numbers, the
// PostgreSQL worker answers BIGINT columns as strings, and Number() reads both.
import type { RunRecord } from '../scheduler/store/store-port.ts'

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v))

/** A `runs` row as a RunRecord. */
export function toRun(r: Record<string, unknown>): RunRecord {
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
