// Crash-test child: runs a real scheduler on a real SQLite file with long maxInstances-1 jobs that log their
// start and end into a probe table, until the parent SIGKILLs it (or, with --drain, stops it gracefully).
import Database from 'better-sqlite3'
import { createSqliteSchedulerStore } from '../../src/store/sqlite-scheduler-store.ts'
import { createScheduler } from '../../src/scheduler/index.ts'
import type { TaskHandler } from '../../src/scheduler/index.ts'
import { AppError } from '../../src/errors/app-error.ts'
import { CHILD_JOBS, PROBE_SQL } from './plan.ts'

const [statePath, probePath, mode] = process.argv.slice(2)
if (!statePath || !probePath) throw new Error('usage: child.ts <state.db> <probe.db> [--drain]')

const probe = new Database(probePath)
probe.pragma('journal_mode = WAL')
probe.exec(PROBE_SQL)
const insert = probe.prepare('INSERT INTO probe (job_id, run_id, attempt, pid, started_at) VALUES (?, ?, ?, ?, ?)')
const finish = probe.prepare('UPDATE probe SET ended_at = ? WHERE id = ?')
const ended = probe.prepare('SELECT COUNT(*) AS n FROM probe WHERE run_id = ? AND ended_at IS NOT NULL')
const now = () => performance.timeOrigin + performance.now()

const work: TaskHandler = async ({ jobId, runId, attempt, signal }) => {
  const id = insert.run(jobId, Number(runId), attempt, process.pid, now()).lastInsertRowid
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, 10 + Math.random() * 60)
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t)
          reject(signal.reason)
        },
        { once: true },
      )
    })
    if (Math.random() < 0.1) throw new AppError('FLAKY', 'random transient failure', { retryable: true })
  } finally {
    finish.run(now(), id)
  }
  return { ok: true }
}

const store = createSqliteSchedulerStore({ path: statePath })
const sched = createScheduler({
  store,
  maxConcurrentJobs: 3,
  defaultMaxRetries: 2,
  defaultRetryDelay: 5,
  maxRetryDelay: 20,
})
sched.registerTask({ type: 'long', handler: work })
sched.registerTask({
  type: 'careful',
  handler: work,
  recovery: 'reconcile',
  // Decides from durable evidence: if the probe shows the work finished, the run succeeded; otherwise rerun.
  reconcile: async ({ runId }) =>
    (ended.get(Number(runId)) as { n: number }).n > 0 ? { status: 'succeeded' } : { status: 'rerun' },
})
sched.addJobs(CHILD_JOBS, { ifExists: 'keep' })
await sched.start()
for (const j of CHILD_JOBS) {
  sched.runNow(j.id)
  sched.runNow(j.id)
}
process.stdout.write('READY\n')

if (mode === '--drain') {
  // Graceful end of a soak: let the queues progress, then stop (no new runs, grace, abort and record the rest).
  await new Promise((r) => setTimeout(r, 1_000))
  await sched.stop({ graceMs: 5_000 })
  probe.close()
  process.stdout.write('DRAINED\n')
}
