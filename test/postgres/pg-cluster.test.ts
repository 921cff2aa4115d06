// Several schedulers on one PostgreSQL database (in one process here; test/postgres/multi-instance.test.ts runs
// separate bot processes): each fire runs on one instance, leases move to a survivor with recovery applied,
// manual runs are handed to the owner, and pause/priority made on one instance apply on all.
import { afterAll, describe, expect, it } from 'vitest'
import { postgresBinDir, startPostgres } from '../../scripts/postgres.ts'
import { createScheduler } from '../../src/scheduler/index.ts'
import { createPgCoordinator } from '../../src/store/postgres/pg-cluster.ts'
import { createPostgresSchedulerStore } from '../../src/store/postgres/postgres-scheduler-store.ts'
import { createSyncPg } from '../../src/store/postgres/sync-pg.ts'
import type { RunRecord } from '../../src/scheduler/index.ts'
import { sampleRun } from '../../src/scheduler/testing/store-conformance.ts'

const available = process.env.TEST_PG_URL !== undefined || postgresBinDir() !== null
if (!available && process.env.CI) throw new Error('PostgreSQL is missing in CI: .ci/run installs it with apt')
const server = available ? await startPostgres() : undefined
afterAll(() => server?.stop())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(25)
  }
}

describe.skipIf(!server)('schedulers sharing PostgreSQL', () => {
  /** An instance: its own connection, store and coordinator, a task that records which instance ran what. */
  function instance(
    url: string,
    name: string,
    ran: Map<string, string[]>,
    opts: { leaseMs?: number; slowMs?: number } = {},
  ) {
    const store = createPostgresSchedulerStore({ url, fenceOwner: name })
    const coordinator = createPgCoordinator({ pg: store.pg, instanceId: name, leaseMs: opts.leaseMs ?? 3_000 })
    const s = createScheduler({ store, maxConcurrentJobs: 50, cluster: { coordinator, heartbeatMs: 200 } })
    s.registerTask({
      type: 't',
      recovery: 'rerun',
      handler: async ({ jobId, signal }) => {
        ;(ran.get(jobId) ?? ran.set(jobId, []).get(jobId)!).push(name)
        if (opts.slowMs)
          await new Promise((r, j) => {
            const t = setTimeout(r, opts.slowMs)
            signal.addEventListener('abort', () => {
              clearTimeout(t)
              j(signal.reason)
            })
          })
      },
    })
    return { s, store, coordinator }
  }

  it('runs each fire of 300 jobs once across three instances, spread over all three', async () => {
    const url = server!.createDatabase('cluster_spread')
    const ran = new Map<string, string[]>()
    const nodes = ['a', 'b', 'c'].map((n) => instance(url, n, ran))
    const at = Date.now() + 2_500
    const specs = Array.from({ length: 300 }, (_, i) => ({
      id: `j${i}`,
      taskType: 't',
      trigger: { type: 'date' as const, at: new Date(at).toISOString() },
    }))
    for (const n of nodes) n.s.addJobs(specs, { ifExists: 'keep' })
    await Promise.all(nodes.map((n) => n.s.start()))
    await until(() => ran.size === 300)
    await sleep(500)
    expect([...ran.values()].every((who) => who.length === 1)).toBe(true)
    const per = new Map<string, number>()
    for (const who of ran.values()) per.set(who[0]!, (per.get(who[0]!) ?? 0) + 1)
    expect(per.size).toBe(3)
    for (const n of per.values()) expect(n).toBeGreaterThan(50)
    const pg = createSyncPg(url)
    const counts = pg.query<{ status: string; n: number }>(
      'SELECT status, COUNT(*)::int AS n FROM runs GROUP BY status',
    )
    expect(counts).toEqual([{ status: 'succeeded', n: 300 }])
    pg.close()
    await Promise.all(nodes.map((n) => n.s.stop()))
  })

  it("takes over a stopped instance's groups: its interrupted runs are re-run once by a survivor", async () => {
    const url = server!.createDatabase('cluster_takeover')
    const ran = new Map<string, string[]>()
    const a = instance(url, 'a', ran, { slowMs: 60_000, leaseMs: 1_500 })
    const b = instance(url, 'b', ran, { leaseMs: 1_500 })
    const at = Date.now() + 1_500
    const specs = Array.from({ length: 40 }, (_, i) => ({
      id: `k${i}`,
      taskType: 't',
      trigger: { type: 'date' as const, at: new Date(at).toISOString() },
    }))
    a.s.addJobs(specs)
    b.s.addJobs(specs, { ifExists: 'keep' })
    await a.s.start()
    await b.s.start()
    await until(() => ran.size === 40)
    const onA = [...ran.entries()].filter(([, who]) => who[0] === 'a').map(([id]) => id)
    expect(onA.length).toBeGreaterThan(0)
    // A stops with no grace: its runs end interrupted (recovery pending) and its leases lapse at once.
    // (A SIGKILL, where the lease runs out instead, is test/postgres/multi-instance.test.ts.)
    await a.s.stop({ graceMs: 0 })
    await until(() => onA.every((id) => ran.get(id)!.length === 2), 20_000)
    for (const id of onA) expect(ran.get(id)).toEqual(['a', 'b'])
    const pg = createSyncPg(url)
    const interrupted = pg.query<{ n: number }>(
      "SELECT COUNT(*)::int AS n FROM runs WHERE status = 'interrupted' AND recovery = 'rerun'",
    )[0]!.n
    expect(interrupted).toBe(onA.length)
    pg.close()
    await b.s.stop()
  })

  it('fences writes by the group lease: an instance that lost a group cannot overwrite or add its runs; hand-offs pass', () => {
    const url = server!.createDatabase('cluster_fence')
    const [a, b] = [
      createPostgresSchedulerStore({ url, fenceOwner: 'a' }),
      createPostgresSchedulerStore({ url, fenceOwner: 'b' }),
    ]
    const job = {
      id: 'f',
      taskType: 't',
      specJson: '{}',
      enabled: true,
      paused: false,
      priority: 'normal' as const,
      nextFireAt: 5,
      lastFireAt: null,
      executions: 0,
      lastOutcome: null,
      createdAt: 1,
      updatedAt: 1,
    }
    const run = (id: number, status: RunRecord['status']): RunRecord =>
      sampleRun(id, 'f', { status, scheduledFor: 5, createdAt: 5 })
    a.applyBatch([{ op: 'putJob', job }])
    a.pg.query(`INSERT INTO job_groups (grp, job_ids, owner, lease_until) VALUES ('g', '["f"]', 'a', $1)`, [
      Date.now() + 60_000,
    ])
    a.applyBatch([
      { op: 'putRun', run: run(1, 'running'), group: 'g' },
      { op: 'putJobState', job: { ...job, executions: 1, nextFireAt: null }, group: 'g' },
    ])
    expect(b.getRun(1)?.status).toBe('running')
    // B takes the group over (as its heartbeat does once A's lease lapsed) and finishes the run.
    b.pg.query("UPDATE job_groups SET owner = 'b' WHERE grp = 'g'")
    b.applyBatch([
      { op: 'putRun', run: { ...run(1, 'succeeded'), endedAt: 9 }, group: 'g' },
      { op: 'putJobState', job: { ...job, executions: 1, nextFireAt: null, lastOutcome: 'succeeded' }, group: 'g' },
    ])
    // A's writes queued before it noticed: none lands, neither the stale update, nor a new run, nor schedule state.
    a.applyBatch([
      { op: 'putRun', run: run(1, 'pending'), group: 'g' },
      { op: 'putRun', run: run(2, 'pending'), group: 'g' },
      { op: 'putJobState', job: { ...job, executions: 0, nextFireAt: 5 }, group: 'g' },
    ])
    expect(b.getRun(1)).toMatchObject({ status: 'succeeded', endedAt: 9 })
    expect(b.getRun(2)).toBeNull()
    expect(b.getJob('f')).toMatchObject({ executions: 1, nextFireAt: null, lastOutcome: 'succeeded' })
    // A manual run A hands to the owner is written as it is.
    a.applyBatch([{ op: 'putRun', run: { ...run(3, 'pending'), origin: 'manual' }, unfenced: true }])
    expect(b.getRun(3)?.status).toBe('pending')
    a.close()
    b.close()
  })

  it('hands out run ids in disjoint blocks to every store on the database', () => {
    const url = server!.createDatabase('cluster_ids')
    const [a, b] = [createPostgresSchedulerStore({ url }), createPostgresSchedulerStore({ url })]
    const blocks = [a.allocateRunIds(), b.allocateRunIds(), a.allocateRunIds()]
    const ids = blocks.flatMap((k) => Array.from({ length: k.count }, (_, i) => k.first + i))
    expect(new Set(ids).size).toBe(ids.length)
    expect(Math.min(...ids)).toBeGreaterThan(0)
    a.close()
    b.close()
  })

  it('hands a manual run to the owner and shares pause and priority', async () => {
    const url = server!.createDatabase('cluster_control')
    const ran = new Map<string, string[]>()
    const a = instance(url, 'a', ran)
    const b = instance(url, 'b', ran)
    a.s.addJob({ id: 'm', taskType: 't', trigger: 'manual' })
    b.s.addJob({ id: 'm', taskType: 't', trigger: 'manual' }, { ifExists: 'keep' })
    await a.s.start()
    await sleep(300)
    await b.s.start()
    // A took the only group first; a runNow on B runs on A.
    b.s.runNow('m')
    await until(() => ran.get('m')?.length === 1)
    expect(ran.get('m')).toEqual(['a'])
    b.s.pause('m')
    b.s.setPriority('m', 'critical')
    await until(() => a.s.getJob('m')!.paused && a.s.getJob('m')!.priority === 'critical')
    b.s.pause()
    await until(() => a.s.health().paused)
    await Promise.all([a.s.stop(), b.s.stop()])
  })
})
