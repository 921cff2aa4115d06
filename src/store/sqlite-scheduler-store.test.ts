// Runs the store conformance suite against the real SQLite store on a temporary file with real migrations, and
// checks the SQLite store's own unfinished-runs mark.
import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeStoreConformance, sampleRun } from '../scheduler/testing/store-conformance.ts'
import { ACTIVE_RUN_STATUSES } from '../scheduler/index.ts'
import { UNFINISHED_FROM_KEY, UNFINISHED_RUN_SQL } from './sqlite-batch.mjs'
import { createSqliteSchedulerStore } from './sqlite-scheduler-store.ts'

describeStoreConformance(
  'sqlite file',
  () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sched-store-')), 'state.db')
    return { store: createSqliteSchedulerStore({ path }), reopen: () => createSqliteSchedulerStore({ path }) }
  },
  { derivesJobState: true },
)

describe('SQLite unfinished-runs mark', () => {
  it("counts every active run status as unfinished (the plain-JavaScript copy of the scheduler's list)", () => {
    for (const status of ACTIVE_RUN_STATUSES) expect(UNFINISHED_RUN_SQL).toContain(`'${status}'`)
  })

  it('moves the mark up to the first unfinished run, and loading reads only from the mark up', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sched-store-')), 'state.db')
    const store = createSqliteSchedulerStore({ path, writerThread: false })
    const mark = () => store.getState(UNFINISHED_FROM_KEY)
    store.applyBatch([
      { op: 'putRun', run: sampleRun(1, 'a', { status: 'succeeded' }) },
      { op: 'putRun', run: sampleRun(2, 'a', { status: 'running' }) },
      { op: 'putRun', run: sampleRun(3, 'a', { status: 'succeeded' }) },
      { op: 'finishedBelow', runId: 4 },
    ])
    expect(mark()).toBe('2')
    // A proposal at or below the mark leaves it.
    store.applyBatch([
      { op: 'putRun', run: sampleRun(2, 'a', { status: 'failed' }) },
      { op: 'finishedBelow', runId: 2 },
    ])
    expect(mark()).toBe('2')
    store.applyBatch([
      { op: 'putRun', run: sampleRun(4, 'a', { status: 'pending' }) },
      { op: 'finishedBelow', runId: 4 },
    ])
    expect(mark()).toBe('4')
    // A row below the mark is not read: the status index the load used before is gone.
    const raw = new Database(path)
    raw.prepare("UPDATE runs SET status = 'running' WHERE id = 1").run()
    const indexes = raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs' ORDER BY name")
      .all()
    raw.close()
    expect(indexes).toEqual([{ name: 'runs_job' }, { name: 'runs_outcome' }])
    expect(store.loadUnfinishedRuns().map((r) => r.id)).toEqual([4])
    store.close()
  })
})
