// The SQLite writer thread under a real scheduler, real clock and real file: starts are committed before their
// handlers run, every change lands, and a batch the thread cannot commit starts nothing until the store recovers.
import Database from 'better-sqlite3'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createScheduler } from '../scheduler/index.ts'
import type { SchedulerStore } from '../scheduler/index.ts'
import type { StoreOp } from '../scheduler/index.ts'
import { openDatabase } from './database.ts'
import { createSqliteSchedulerStore } from './sqlite-scheduler-store.ts'

/** A file store whose batches are counted by where they committed (this thread or the writer thread). */
function countingStore(path: string) {
  const real = createSqliteSchedulerStore({ path })
  const counts = { here: 0, thread: 0 }
  const store: SchedulerStore = {
    ...real,
    submitBatch(ops) {
      const p = real.submitBatch!(ops)
      if (p) counts.thread++
      else counts.here++
      return p
    },
  }
  return { store, counts }
}

const statusOf = (db: Database.Database, runId: string) =>
  (db.prepare('SELECT status FROM runs WHERE id = ?').get(Number(runId)) as { status: string } | undefined)?.status

describe('SQLite writer thread', () => {
  it('commits each start before its handler runs, and every completion, for 2,000 jobs due at once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'writer-')), 'state.db')
    const { store, counts } = countingStore(path)
    const sched = createScheduler({ store, maxConcurrentJobs: 2_000 })
    const reader = new Database(path, { readonly: true })
    const seenAtStart = new Map<string, string | undefined>()
    sched.registerTask({
      type: 'probe',
      handler: async ({ runId }) => {
        // Another connection sees only committed rows: the run must already be stored as running.
        seenAtStart.set(runId, statusOf(reader, runId))
        return null
      },
    })
    const at = Date.now() + 1_500
    sched.addJobs(
      Array.from({ length: 2_000 }, (_, i) => ({ id: `j${i}`, taskType: 'probe', trigger: { type: 'date', at } })),
    )
    let done = 0
    const all = new Promise<void>((resolve) => sched.on('succeeded', () => ++done === 2_000 && resolve()))
    await sched.start()
    await all
    await sched.persisted()
    expect(counts.thread).toBeGreaterThan(0)
    expect(seenAtStart.size).toBe(2_000)
    expect([...seenAtStart.values()].every((s) => s === 'running')).toBe(true)
    const rows = reader.prepare("SELECT COUNT(*) AS n FROM runs WHERE status = 'succeeded'").get() as { n: number }
    expect(rows.n).toBe(2_000)
    // Each outcome is numbered on its run (job rows catch up at the row checkpoint, here at stop).
    const numbered = reader.prepare('SELECT COUNT(DISTINCT outcome_seq) AS n FROM runs').get() as { n: number }
    expect(numbered.n).toBe(2_000)
    await sched.stop({ graceMs: 1_000 })
    const outcomes = reader
      .prepare("SELECT COUNT(*) AS n FROM jobs WHERE last_outcome = 'succeeded' AND next_fire_at IS NULL")
      .get() as { n: number }
    expect(outcomes.n).toBe(2_000)
    reader.close()
  })

  it('starts nothing whose batch the thread could not commit, and runs each once after the store recovers', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'writer-')), 'state.db')
    const { store, counts } = countingStore(path)
    const sched = createScheduler({ store, maxConcurrentJobs: 1_000 })
    const ran = new Map<string, number>()
    sched.registerTask({ type: 'count', handler: async ({ jobId }) => void ran.set(jobId, (ran.get(jobId) ?? 0) + 1) })
    const at = Date.now() + 1_000
    sched.addJobs(
      Array.from({ length: 1_000 }, (_, i) => ({ id: `j${i}`, taskType: 'count', trigger: { type: 'date', at } })),
    )
    await sched.start()
    // Another process holds the write lock past the writer's 5 s busy timeout when the jobs come due.
    const locker = new Database(path)
    locker.exec('BEGIN IMMEDIATE')
    // The failure is known once the busy timeout ran out; under a loaded test run that can be a little later.
    const failBy = at + 15_000
    await new Promise((r) => setTimeout(r, at - Date.now() + 5_000))
    while (sched.health().storeOk && Date.now() < failBy) await new Promise((r) => setTimeout(r, 100))
    expect(ran.size).toBe(0)
    expect(sched.health().storeOk).toBe(false)
    locker.exec('ROLLBACK')
    locker.close()
    const deadline = Date.now() + 20_000
    while (ran.size < 1_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    await sched.persisted()
    expect(counts.thread).toBeGreaterThan(0)
    expect(ran.size).toBe(1_000)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
    await sched.stop({ graceMs: 1_000 })
    const db = new Database(path, { readonly: true })
    const byStatus = db.prepare('SELECT status, COUNT(*) AS n FROM runs GROUP BY status').all()
    db.close()
    expect(byStatus).toEqual([{ status: 'succeeded', n: 1_000 }])
  })

  it('writes a large plan on the writer thread and returns from addJobs only once every job is durable', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'writer-')), 'state.db')
    const { store, counts } = countingStore(path)
    const sched = createScheduler({ store })
    sched.registerTask({ type: 'noop', handler: async () => null })
    sched.addJobs(Array.from({ length: 5_000 }, (_, i) => ({ id: `j${i}`, taskType: 'noop', trigger: 'hourly' })))
    // No await: another connection must already see every job, including chunks the thread committed.
    const reader = new Database(path, { readonly: true })
    const stored = reader.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }
    reader.close()
    expect(counts.thread).toBeGreaterThan(0)
    expect(stored.n).toBe(5_000)
    store.close()
  })

  it('fails addJobs when the thread cannot commit a chunk of the plan, and writes that chunk later', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'writer-')), 'state.db')
    const { store, counts } = countingStore(path)
    const sched = createScheduler({ store })
    sched.registerTask({ type: 'noop', handler: async () => null })
    const locker = new Database(path)
    locker.exec('BEGIN IMMEDIATE')
    // The first 1,000 jobs go to the thread, which waits out its 5 s busy timeout and fails the batch.
    expect(() =>
      sched.addJobs(Array.from({ length: 1_500 }, (_, i) => ({ id: `j${i}`, taskType: 'noop', trigger: 'hourly' }))),
    ).toThrow(/STORE_WRITE|store write failed/)
    expect(counts.thread).toBeGreaterThan(0)
    locker.exec('ROLLBACK')
    locker.close()
    await new Promise((r) => setTimeout(r, 0))
    // The failed chunk's changes were queued again: the next durable call writes them with its own.
    sched.addJob({ id: 'after', taskType: 'noop', trigger: 'hourly' })
    const reader = new Database(path, { readonly: true })
    const stored = reader.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }
    reader.close()
    expect(stored.n).toBe(1_501)
    store.close()
  })

  it("holds checkpoints while the scheduler's thread keeps committing, and checkpoints once writes pause", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'writer-')), 'state.db')
    const db = openDatabase({ path })
    const store = createSqliteSchedulerStore({ db, writerThread: true })
    // Until a checkpoint copies them, new pages live only in the WAL: the database file keeps its size.
    const dbSize = () => statSync(path).size
    let n = 0
    const putJob = () =>
      store.applyBatch([
        {
          op: 'putJob',
          job: {
            id: `j${n++}`,
            taskType: 't',
            specJson: 'x'.repeat(2_000),
            enabled: true,
            paused: false,
            priority: 'normal',
            nextFireAt: null,
            lastFireAt: null,
            executions: 0,
            lastOutcome: null,
            createdAt: 1,
            updatedAt: 1,
          },
        },
      ])
    putJob()
    const before = dbSize()
    // Small commits every few ms for 1.6 s, past the 1 s checkpoint interval.
    const until = Date.now() + 1_600
    while (Date.now() < until) {
      putJob()
      await new Promise((r) => setTimeout(r, 4))
    }
    expect(dbSize()).toBe(before)
    // Quiet: the thread checkpoints, copying the pages into the database file.
    await new Promise((r) => setTimeout(r, 1_500))
    expect(dbSize()).toBeGreaterThan(before + 100 * 2_000)
    expect(store.loadJobs()).toHaveLength(n)
    store.close()
  })

  it('checkpoints the WAL from the writer thread (the only background thread), so the file is reused', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'writer-')), 'state.db')
    const db = openDatabase({ path })
    const store = createSqliteSchedulerStore({ db, writerThread: true })
    // Neither connection checkpoints inside its commits: the thread does, between batches.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
    const putJobs = (from: number) =>
      store.applyBatch(
        Array.from({ length: 3_000 }, (_, k): StoreOp => ({
          op: 'putJob',
          job: {
            id: `j${from + k}`,
            taskType: 't',
            specJson: 'x'.repeat(300),
            enabled: true,
            paused: false,
            priority: 'normal',
            nextFireAt: null,
            lastFireAt: null,
            executions: 0,
            lastOutcome: null,
            createdAt: 1,
            updatedAt: 1,
          },
        })),
      )
    const walSize = () => statSync(`${path}-wal`).size
    putJobs(0)
    putJobs(3_000)
    const grown = walSize()
    await new Promise((r) => setTimeout(r, 1_600))
    putJobs(6_000)
    putJobs(9_000)
    expect(walSize()).toBeLessThanOrEqual(grown)
    expect(store.loadJobs()).toHaveLength(12_000)
    store.close()
  })
})
