// The cluster heartbeat's steady-state read and write in one statement: the instance's beat, its lease renewals,
// the live and group counts, peers' leases, hand-offs to it and new controls. The calling thread blocks for one
// round trip per heartbeat instead of seven; claims and give-backs (rare) stay separate statements.
import type { ClusterControl } from '../../scheduler/cluster/cluster-types.ts'
import type { RunRecord } from '../../scheduler/store/store-port.ts'
import { toRun, type Row } from './pg-records.ts'
import type { SyncPg } from './sync-pg.ts'

/** What one beat read back. `live` counts this instance too. */
export interface BeatRead {
  /** Groups this instance holds, with their lease end after this beat. */
  held: Map<string, number>
  live: number
  total: number
  /** Groups held by peers with their lease end. */
  others: [string, number][]
  /** Runs handed to the groups this instance renewed (their hand-off rows are deleted). */
  handoffs: RunRecord[]
  controls: {
    seq: number
    job_id: string | null
    action: ClusterControl['action']
    value: string | null
    by_instance: string
  }[]
}

// Data-modifying CTEs run once and to completion whether read or not; the outer SELECT sees the snapshot taken
// before them, so this instance's own beat is counted as `+ 1` rather than read back.
const BEAT_SQL = `WITH beat AS (
    INSERT INTO cluster_instances (id, started_at, heartbeat_at, lease_until) VALUES ($1, $2, $2, $3)
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = $2, lease_until = $3 RETURNING id
  ), renewed AS (
    UPDATE job_groups SET lease_until = $3 WHERE owner = $1 AND lease_until < $5 RETURNING grp
  ), handed AS (
    DELETE FROM run_handoffs WHERE grp IN (SELECT grp FROM job_groups WHERE owner = $1) RETURNING run_id
  )
  SELECT
    (SELECT COUNT(*) FROM beat)::int AS beat,
    (SELECT COALESCE(json_agg(grp), '[]'::json) FROM renewed) AS renewed,
    (SELECT COALESCE(json_agg(json_build_array(grp, lease_until)), '[]'::json) FROM job_groups WHERE owner = $1) AS held,
    (SELECT COUNT(*) FROM cluster_instances WHERE lease_until > $2 AND id <> $1)::int + 1 AS live,
    (SELECT COUNT(*) FROM job_groups)::int AS total,
    (SELECT COALESCE(json_agg(json_build_array(grp, lease_until)), '[]'::json) FROM job_groups
      WHERE owner IS NOT NULL AND owner <> $1) AS others,
    (SELECT COALESCE(json_agg(r ORDER BY r.id), '[]'::json) FROM handed h JOIN runs r ON r.id = h.run_id) AS handoffs,
    (SELECT COALESCE(json_agg(c ORDER BY c.seq), '[]'::json) FROM (SELECT seq, job_id, action, value, by_instance
      FROM cluster_controls WHERE seq > $4) c) AS controls`

/** When a beat happens: its time, the lease end it writes, and below which lease end a lease is renewed. */
export interface BeatTimes {
  t: number
  until: number
  renewBefore: number
}

const params = (me: string, at: BeatTimes, lastControl: number) => [me, at.t, at.until, lastControl, at.renewBefore]

/** Decodes the beat's one row. */
function decode(r: Row, at: BeatTimes): BeatRead {
  const renewed = new Set(r.renewed as string[])
  const held = new Map<string, number>()
  // `held` is read from the snapshot before the renewal: a lease that was due but not renewed was taken by a peer
  // meanwhile (its claim locked the row first), so it counts as lost, as a lease missing from `held` does.
  for (const [g, l] of r.held as [string, unknown][]) {
    if (renewed.has(g)) held.set(g, at.until)
    else if (Number(l) >= at.renewBefore) held.set(g, Number(l))
  }
  return {
    held,
    live: Number(r.live),
    total: Number(r.total),
    others: (r.others as [string, unknown][]).map(([g, l]) => [g, Number(l)]),
    handoffs: (r.handoffs as Row[]).map(toRun),
    controls: (r.controls as BeatRead['controls']).map((c) => ({ ...c, seq: Number(c.seq) })),
  }
}

/**
 * Beats, renews this instance's leases that end before `renewBefore` (to `until`) and reads what changed, in one
 * statement (one blocking round trip). Renewing only the leases past half their term, rather than every lease at
 * every beat, keeps the beat cheap: each renewal rewrites every row this instance holds.
 */
export function beatAndRead(pg: SyncPg, me: string, at: BeatTimes, lastControl: number): BeatRead {
  return decode(pg.query<Row>(BEAT_SQL, params(me, at, lastControl))[0]!, at)
}

/** The same beat without blocking the calling thread (answered in order with the connection's other calls). */
export function submitBeat(pg: SyncPg, me: string, at: BeatTimes, lastControl: number): Promise<BeatRead> {
  return pg.submitQuery<Row>(BEAT_SQL, params(me, at, lastControl)).then((rows) => decode(rows[0]!, at))
}

/** Takes the hand-off rows of groups just gained and returns their runs (one statement). */
export function takeHandoffs(pg: SyncPg, groups: readonly string[]): RunRecord[] {
  if (groups.length === 0) return []
  return pg
    .query<Row>(
      `WITH h AS (DELETE FROM run_handoffs WHERE grp = ANY($1::text[]) RETURNING run_id)
      SELECT * FROM runs WHERE id IN (SELECT run_id FROM h) ORDER BY id`,
      [groups],
    )
    .map(toRun)
}
