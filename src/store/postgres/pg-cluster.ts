// The scheduler's cluster coordinator on PostgreSQL: an instance registry, one lease row per job group (claimed
// with FOR UPDATE SKIP LOCKED in short transactions, renewed by heartbeat), hand-offs of manual runs and a
// log of shared controls. See README.md here for the model.
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type {
  ClusterControl,
  ClusterCoordinator,
  GainedGroup,
  HeartbeatReport,
} from '../../scheduler/cluster/cluster-types.ts'
import { toJob, toRun } from './pg-records.ts'
import { beatAndRead, submitBeat, takeHandoffs, type BeatRead, type BeatTimes } from './pg-heartbeat.ts'
import type { SyncPg } from './sync-pg.ts'

/** Options of the coordinator. */
export interface PgCoordinatorOptions {
  pg: SyncPg
  /** Stable name of this instance (default: host, pid and a random suffix). */
  instanceId?: string
  /** How long a lease lasts without a heartbeat (default 10 s); peers take over after it. */
  leaseMs?: number
  now?: () => number
  /** A process that only reads and sends controls (the CLI's state view): it holds no lease and never beats. */
  passive?: boolean
}

type Row = Record<string, unknown>
const UNFINISHED =
  "(status IN ('pending','delayed','held','running','retrying') OR (status = 'interrupted' AND recovery = 'pending'))"

/** A default instance id: readable in logs and unique per process. */
export function defaultInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
}

/** Creates the coordinator and registers the instance. */
export function createPgCoordinator(o: PgCoordinatorOptions): ClusterCoordinator & { readonly leaseMs: number } {
  const { pg } = o
  const me = o.instanceId ?? defaultInstanceId()
  const leaseMs = o.leaseMs ?? 10_000
  const now = o.now ?? Date.now
  /** Groups held here, with the lease end as last written. */
  const mine = new Map<string, number>()
  /** Groups held by peers, with their lease end as last read. */
  const others = new Map<string, number>()
  // Only controls made after this instance started apply to it (older ones are in the stored state already).
  let lastControl = Number(pg.query<{ s: number }>('SELECT COALESCE(MAX(seq), 0) AS s FROM cluster_controls')[0]!.s)
  // A lease held here is trusted without asking the database until this close to its end.
  const margin = Math.max(500, Math.floor(leaseMs / 4))

  if (o.passive) {
    return {
      instanceId: me,
      leaseMs,
      register: () => undefined,
      owns: () => false,
      leave: () => undefined,
      heartbeat: () => ({ gained: [], lost: [], handoffs: [], controls: [] }),
      handOff: (runId, group) => handOff(pg, runId, group),
      publish: (c) => publish(pg, me, c, now()),
    }
  }
  const beat = (t: number) =>
    pg.query(
      `INSERT INTO cluster_instances (id, started_at, heartbeat_at, lease_until) VALUES ($1, $2, $2, $3)
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = $2, lease_until = $3`,
      [me, t, t + leaseMs],
    )
  beat(now())

  /** A beat read sent by prepareBeat and not applied yet. */
  let prepared: { read: BeatRead; at: BeatTimes } | null = null
  /** While a prepared read is in flight or waiting: groups owns() claimed (true) or found taken (false) since. */
  const changedSince = new Map<string, boolean>()
  let tracking = false
  const times = (): BeatTimes => {
    const t = now()
    return { t, until: t + leaseMs, renewBefore: t + Math.floor(leaseMs / 2) }
  }

  /** The stored jobs and unfinished runs of groups just taken, in two queries for all of them. */
  const loadGained = (rows: { grp: string; job_ids: string }[]): GainedGroup[] => {
    if (rows.length === 0) return []
    const groupOfJob = new Map<string, GainedGroup>()
    const out = rows.map((r) => {
      const g: GainedGroup = { group: r.grp, jobs: [], runs: [] }
      for (const id of JSON.parse(r.job_ids) as string[]) groupOfJob.set(id, g)
      return g
    })
    const ids = [...groupOfJob.keys()]
    for (const job of pg.query<Row>('SELECT * FROM jobs WHERE id = ANY($1::text[])', [ids]).map(toJob))
      groupOfJob.get(job.id)!.jobs.push(job)
    for (const run of pg
      .query<Row>(`SELECT * FROM runs WHERE job_id = ANY($1::text[]) AND ${UNFINISHED} ORDER BY id`, [ids])
      .map(toRun)) {
      groupOfJob.get(run.jobId)!.runs.push(run)
    }
    return out
  }

  return {
    instanceId: me,
    leaseMs,
    register(groups) {
      const names = [...groups.keys()]
      for (let i = 0; i < names.length; i += 5_000) {
        const chunk = names.slice(i, i + 5_000)
        pg.query(
          `INSERT INTO job_groups (grp, job_ids) SELECT * FROM unnest($1::text[], $2::text[])
          ON CONFLICT (grp) DO UPDATE SET job_ids = EXCLUDED.job_ids WHERE job_groups.job_ids <> EXCLUDED.job_ids`,
          [chunk, chunk.map((g) => JSON.stringify(groups.get(g)))],
        )
      }
    },
    owns(group) {
      const t = now()
      const held = mine.get(group)
      if (held !== undefined && held - t > margin) return true
      const peer = others.get(group)
      if (held === undefined && peer !== undefined && peer > t) return false
      // Unknown, lapsing here, or lapsed at a peer: ask. Only a group nobody holds (or this instance's own) is taken
      // on the spot; a lapsed peer's group is taken by the heartbeat, which also brings its stored state and runs.
      const until = t + leaseMs
      const won = pg.query(
        `UPDATE job_groups SET owner = $2, lease_until = $3, taken_at = COALESCE(taken_at, $4)
        WHERE grp IN (SELECT grp FROM job_groups WHERE grp = $1 AND (owner IS NULL OR (owner = $2 AND lease_until > $4))
          FOR UPDATE SKIP LOCKED) RETURNING grp`,
        [group, me, until, t],
      )
      if (tracking) changedSince.set(group, won.length > 0)
      if (won.length) {
        mine.set(group, until)
        others.delete(group)
        return true
      }
      mine.delete(group)
      const row = pg.query<{ lease_until: number }>('SELECT lease_until FROM job_groups WHERE grp = $1', [group])[0]
      // A row locked by a peer's claim right now counts as held by it for a moment.
      others.set(group, Math.max(Number(row?.lease_until ?? 0), t + 250))
      return false
    },
    heartbeat(idle, beforeGiveBack): HeartbeatReport {
      // One statement in the steady state (beat, renewals, counts, peers' leases, hand-offs and controls): read
      // without blocking by prepareBeat, or here, blocking, when nothing was prepared.
      const p = prepared
      prepared = null
      const { t, until } = p?.at ?? times()
      const read = p?.read ?? beatAndRead(pg, me, { t, until, renewBefore: t + Math.floor(leaseMs / 2) }, lastControl)
      // Claims and losses seen by owns() since the prepared read was sent are newer than it.
      const claimed = new Map(
        [...changedSince.entries()].filter(([g, won]) => won && mine.has(g)).map(([g]) => [g, mine.get(g)!]),
      )
      const lost = [...mine.keys()].filter((g) => !read.held.has(g) && !claimed.has(g))
      mine.clear()
      for (const [g, l] of read.held) if (changedSince.get(g) !== false) mine.set(g, l)
      for (const [g, l] of claimed) mine.set(g, l)
      changedSince.clear()
      tracking = false
      others.clear()
      for (const [g, l] of read.others) others.set(g, l)
      const fair = Math.ceil(read.total / Math.max(1, read.live))
      let gained: GainedGroup[] = []
      let handoffs = read.handoffs
      if (mine.size < fair) {
        // Lapsed leases of dead peers first (their runs wait), then groups nobody holds.
        const rows = pg.query<{ grp: string; job_ids: string }>(
          `UPDATE job_groups SET owner = $1, lease_until = $2, taken_at = $3
          WHERE grp IN (SELECT grp FROM job_groups WHERE owner IS NULL OR lease_until < $3
            ORDER BY (owner IS NULL), grp LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING grp, job_ids`,
          [me, until, t, fair - mine.size],
        )
        for (const r of rows) {
          mine.set(r.grp, until)
          others.delete(r.grp)
        }
        gained = loadGained(rows)
        handoffs = [
          ...handoffs,
          ...takeHandoffs(
            pg,
            rows.map((r) => r.grp),
          ),
        ]
      } else if (mine.size > fair + 1) {
        // Give back idle groups above a fair share, so a joining instance gets work.
        const extra = [...mine.keys()].filter((g) => idle.has(g)).slice(0, mine.size - fair)
        if (extra.length) {
          // Their stored state must be current before a peer may take them.
          beforeGiveBack?.()
          pg.query('UPDATE job_groups SET owner = NULL, lease_until = 0 WHERE owner = $1 AND grp = ANY($2::text[])', [
            me,
            extra,
          ])
          for (const g of extra) mine.delete(g)
        }
      }
      const controls = read.controls
      if (controls.length) lastControl = controls[controls.length - 1]!.seq
      return {
        gained,
        lost,
        handoffs,
        controls: controls
          .filter((c) => c.by_instance !== me)
          .map((c) => ({ jobId: c.job_id, action: c.action, ...(c.value !== null ? { value: c.value } : {}) })),
      }
    },
    prepareBeat() {
      const at = times()
      changedSince.clear()
      tracking = true
      return submitBeat(pg, me, at, lastControl).then((read) => {
        prepared = { read, at }
      })
    },
    handOff: (runId, group) => handOff(pg, runId, group),
    publish: (c) => publish(pg, me, c, now()),
    leave() {
      prepared = null
      // Lapsed rather than released: a peer's heartbeat then takes each group with its stored state and runs.
      pg.transaction([
        { sql: 'UPDATE job_groups SET lease_until = 0 WHERE owner = $1', params: [me] },
        { sql: 'DELETE FROM cluster_instances WHERE id = $1', params: [me] },
      ])
      mine.clear()
    },
  }
}

function handOff(pg: SyncPg, runId: number, group: string): void {
  pg.query('INSERT INTO run_handoffs (run_id, grp) VALUES ($1, $2) ON CONFLICT DO NOTHING', [runId, group])
}

function publish(pg: SyncPg, me: string, c: ClusterControl, at: number): void {
  pg.query('INSERT INTO cluster_controls (job_id, action, value, by_instance, at) VALUES ($1, $2, $3, $4, $5)', [
    c.jobId,
    c.action,
    c.value ?? null,
    me,
    at,
  ])
}
