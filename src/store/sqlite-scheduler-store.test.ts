// Runs the store conformance suite against the real SQLite store on a temporary file with real migrations.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeStoreConformance } from '../scheduler/store-conformance.ts'
import { createSqliteSchedulerStore } from './sqlite-scheduler-store.ts'

describeStoreConformance('sqlite file', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'sched-store-')), 'state.db')
  return { store: createSqliteSchedulerStore({ path }), reopen: () => createSqliteSchedulerStore({ path }) }
}, { derivesJobState: true })
