// The crash test's job plan and probe table, shared by the child and the checks.
import type { JobSpecInput } from '../../src/scheduler/index.ts'

/** Long-running maxInstances-1 jobs firing every second, a reconcile job, and a dependency chain. */
export const CHILD_JOBS: JobSpecInput[] = [
  ...Array.from({ length: 5 }, (_, i) => ({
    id: `long-${i}`,
    taskType: 'long',
    trigger: 'interval_1s',
    maxInstances: 1,
  })),
  { id: 'careful', taskType: 'careful', trigger: 'interval_1s', maxInstances: 1 },
  { id: 'chain-a', taskType: 'long', maxInstances: 1 },
  { id: 'chain-b', taskType: 'long', maxInstances: 1, dependencies: ['chain-a'] },
]

/** Each handler call logs its start and (if it got there) its end. */
export const PROBE_SQL = `CREATE TABLE IF NOT EXISTS probe (
  id INTEGER PRIMARY KEY, job_id TEXT NOT NULL, run_id INTEGER NOT NULL, attempt INTEGER NOT NULL,
  pid INTEGER NOT NULL, started_at REAL NOT NULL, ended_at REAL)`
