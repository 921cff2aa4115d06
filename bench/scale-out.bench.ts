// Persisted runs/s of the scheduler on one SQLite file (one instance) beside 1, 2 and 3 instances (separate
// processes, cluster mode) on one PostgreSQL database, measured in the same run on the same plan of due no-op
// jobs; each PostgreSQL figure also checks that every job ran exactly once. Last line: one JSON object.
import Database from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { postgresBinDir, startPostgres } from '../scripts/postgres.ts'
import { createScheduler } from '../src/scheduler/index.ts'
import { createSqliteSchedulerStore } from '../src/store/sqlite-scheduler-store.ts'
import { createSyncPg } from '../src/store/postgres/sync-pg.ts'

const N = Number(process.env.SCALE_OUT_N ?? 6_000)
const LEAD_MS = 4_000
const CHILD = fileURLToPath(new URL('./scale-out-instance.ts', import.meta.url))

/** `N` due no-op jobs on one in-process SQLite scheduler; persisted runs per second, first fire to last durable write. */
async function sqliteRunsPerSecond(path: string): Promise<number> {
  const sched = createScheduler({ store: createSqliteSchedulerStore({ path }), maxConcurrentJobs: 64 })
  let done = 0
  let resolveAll!: () => void
  const all = new Promise<void>((r) => (resolveAll = r))
  sched.registerTask({ type: 'noop', handler: async () => null })
  sched.on('succeeded', () => {
    if (++done === N) resolveAll()
  })
  const at = Date.now() + LEAD_MS
  sched.addJobs(
    Array.from({ length: N }, (_, i) => ({
      id: `j${i}`,
      taskType: 'noop',
      trigger: { type: 'date', at },
      args: { i },
    })),
  )
  await sched.start()
  if (Date.now() > at) throw new Error('adding the jobs took longer than the lead time; raise LEAD_MS')
  await new Promise((r) => setTimeout(r, at - Date.now()))
  const t0 = performance.now()
  await all
  await new Promise((r) => setImmediate(r))
  await new Promise((r) => setImmediate(r))
  const seconds = (performance.now() - t0) / 1000
  await sched.stop({ graceMs: 1_000 })
  const db = new Database(path, { readonly: true })
  const persisted = (db.prepare("SELECT COUNT(*) AS c FROM runs WHERE status = 'succeeded'").get() as { c: number }).c
  db.close()
  if (persisted !== N) throw new Error(`only ${persisted} of ${N} runs were persisted as succeeded`)
  return Math.round(N / seconds)
}

/**
 * `instances` bot-scheduler processes on a fresh database share the same `N` jobs; runs/s is N over the time from
 * the fire time until the parent sees all N succeeded runs stored (polled every 20 ms).
 */
async function postgresRunsPerSecond(url: string, instances: number): Promise<number> {
  const pg = createSyncPg(url)
  const at = Date.now() + 8_000 + instances * 3_000
  const children: ChildProcess[] = []
  try {
    for (let i = 0; i < instances; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, `bench-${i}`, String(N), String(at)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      children.push(child)
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (b: Buffer) => {
          if (b.toString().includes('ready')) resolve()
        })
        child.once('exit', (code) => reject(new Error(`bench instance ${i} exited with ${code}`)))
      })
    }
    if (Date.now() > at) throw new Error('the instances took longer than the lead time to start')
    await new Promise((r) => setTimeout(r, at - Date.now()))
    const count = () =>
      Number(pg.query<{ c: number }>("SELECT COUNT(*)::int AS c FROM runs WHERE status = 'succeeded'")[0]!.c)
    while (count() < N) await new Promise((r) => setTimeout(r, 20))
    const seconds = (Date.now() - at) / 1000
    const runs = Number(pg.query<{ c: number }>('SELECT COUNT(*)::int AS c FROM runs')[0]!.c)
    const jobs = Number(
      pg.query<{ c: number }>("SELECT COUNT(DISTINCT job_id)::int AS c FROM runs WHERE status = 'succeeded'")[0]!.c,
    )
    if (runs !== N || jobs !== N)
      throw new Error(`${instances} instances: ${runs} runs for ${jobs} jobs; expected exactly ${N} each`)
    const owners = pg.query<{ owner: string; n: number }>(
      'SELECT owner, COUNT(*)::int AS n FROM job_groups GROUP BY owner ORDER BY owner',
    )
    console.log(
      `  ${instances} instance(s): ${Math.round(N / seconds)} runs/s; groups held: ${owners.map((o) => `${o.owner} ${o.n}`).join(', ')}`,
    )
    return Math.round(N / seconds)
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))))
    pg.close()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'))
try {
  const sqlitePath = join(dir, 'state.db')
  const sqlite = await sqliteRunsPerSecond(sqlitePath)
  const pg: (number | null)[] = [null, null, null]
  if (process.env.TEST_PG_URL || postgresBinDir()) {
    const server = await startPostgres()
    try {
      for (const k of [1, 2, 3]) pg[k - 1] = await postgresRunsPerSecond(server.createDatabase(`scale_out_${k}`), k)
    } finally {
      server.stop()
    }
  }
  const ratio = (v: number | null | undefined) =>
    v == null ? 'n/a (PostgreSQL not installed)' : `${v} (${Math.round((v / sqlite) * 100) / 100}x SQLite)`
  console.log(
    `${N} due no-op jobs: SQLite 1 instance ${sqlite} persisted runs/s; PostgreSQL 1 instance ${ratio(pg[0])}, ` +
      `2 instances ${ratio(pg[1])}, 3 instances ${ratio(pg[2])}`,
  )
  console.log(
    JSON.stringify({
      bench: 'scale-out',
      jobs: N,
      sqlite_1_runs_per_s: sqlite,
      postgres_1_runs_per_s: pg[0],
      postgres_2_runs_per_s: pg[1],
      postgres_3_runs_per_s: pg[2],
    }),
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
