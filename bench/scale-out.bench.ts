// Persisted runs/s of one scheduler instance on PostgreSQL beside one on SQLite, measured in the same run. Several
// instances on one PostgreSQL database need run claims, which are not built yet: the bench says so and measures
// the one-instance case only. Last line: one JSON object.
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postgresBinDir, startPostgres } from '../scripts/postgres.ts'
import { createScheduler } from '../src/scheduler/scheduler.ts'
import type { SchedulerStore } from '../src/scheduler/store-port.ts'
import { createPostgresSchedulerStore } from '../src/store/postgres/postgres-scheduler-store.ts'
import { createSqliteSchedulerStore } from '../src/store/sqlite-scheduler-store.ts'

const N = Number(process.env.SCALE_OUT_N ?? 5_000)
const LEAD_MS = 4_000

/** `N` due no-op jobs on `store`; resolves with persisted runs per second, first fire to last durable write. */
async function runsPerSecond(store: SchedulerStore, count: () => number): Promise<number> {
  const sched = createScheduler({ store, maxConcurrentJobs: 64 })
  let done = 0
  let resolveAll!: () => void
  const all = new Promise<void>((r) => (resolveAll = r))
  sched.registerTask({ type: 'noop', handler: async () => null })
  sched.on('succeeded', () => { if (++done === N) resolveAll() })
  const at = Date.now() + LEAD_MS
  sched.addJobs(Array.from({ length: N }, (_, i) => ({ id: `j${i}`, taskType: 'noop', trigger: { type: 'date', at }, args: { i } })))
  await sched.start()
  if (Date.now() > at) throw new Error('adding the jobs took longer than the lead time; raise LEAD_MS')
  await new Promise((r) => setTimeout(r, at - Date.now()))
  const t0 = performance.now()
  await all
  await new Promise((r) => setImmediate(r))
  await new Promise((r) => setImmediate(r))
  const seconds = (performance.now() - t0) / 1000
  await sched.stop({ graceMs: 1_000 })
  const persisted = count()
  if (persisted !== N) throw new Error(`only ${persisted} of ${N} runs were persisted as succeeded`)
  return Math.round(N / seconds)
}

const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'))
try {
  const sqlitePath = join(dir, 'state.db')
  const sqlite = await runsPerSecond(createSqliteSchedulerStore({ path: sqlitePath }), () => {
    const db = new Database(sqlitePath, { readonly: true })
    const n = (db.prepare("SELECT COUNT(*) AS c FROM runs WHERE status = 'succeeded'").get() as { c: number }).c
    db.close()
    return n
  })
  let pg1: number | null = null
  if (process.env.TEST_PG_URL || postgresBinDir()) {
    const server = await startPostgres()
    try {
      const url = server.createDatabase('scale_out_1')
      const store = createPostgresSchedulerStore({ url })
      pg1 = await runsPerSecond(store, () => {
        const check = createPostgresSchedulerStore({ url })
        const n = Number(check.pg.query<{ c: number }>("SELECT COUNT(*)::bigint AS c FROM runs WHERE status = 'succeeded'")[0]!.c)
        check.close()
        return n
      })
    } finally {
      server.stop()
    }
  }
  console.log(`${N} due no-op jobs, one instance: SQLite ${sqlite} persisted runs/s, PostgreSQL ${pg1 ?? 'n/a (not installed)'} persisted runs/s`
    + (pg1 ? ` (${Math.round((pg1 / sqlite) * 100) / 100}x SQLite)` : ''))
  console.log('2 and 3 instances on one PostgreSQL database: not measured; run claims across instances are not built yet')
  console.log(JSON.stringify({ bench: 'scale-out', jobs: N, sqlite_1_runs_per_s: sqlite, postgres_1_runs_per_s: pg1,
    postgres_2_runs_per_s: null, postgres_3_runs_per_s: null }))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
