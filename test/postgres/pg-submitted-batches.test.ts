// Batches submitted to the PostgreSQL bridge without blocking: they commit in the order sent, a later blocking call
// sees them, and a failed one applies nothing and fails the next blocking write, so nobody takes it for durable.
import { afterAll, describe, expect, it } from 'vitest'
import { postgresBinDir, startPostgres } from '../../scripts/postgres.ts'
import { createPostgresSchedulerStore } from '../../src/store/postgres/postgres-scheduler-store.ts'
import type { RunRecord } from '../../src/scheduler/index.ts'
import { sampleRun } from '../../src/scheduler/testing/store-conformance.ts'

const available = process.env.TEST_PG_URL !== undefined || postgresBinDir() !== null
if (!available && process.env.CI) throw new Error('PostgreSQL is missing in CI: .ci/run installs it with apt')
const server = available ? await startPostgres() : undefined
afterAll(() => server?.stop())

const job = (id: string) => ({
  id,
  taskType: 't',
  specJson: '{}',
  enabled: true,
  paused: false,
  priority: 'normal' as const,
  nextFireAt: null,
  lastFireAt: null,
  executions: 0,
  lastOutcome: null,
  createdAt: 1,
  updatedAt: 1,
})
const run = (id: number, jobId: string, status: RunRecord['status']): RunRecord =>
  sampleRun(id, jobId, { status, scheduledFor: 1, createdAt: 1 })

describe.skipIf(!server)('batches submitted to PostgreSQL without blocking', () => {
  it('commit in the order sent; a blocking read right after sees the last state', async () => {
    const store = createPostgresSchedulerStore({ url: server!.createDatabase('submitted_order') })
    try {
      store.applyBatch([{ op: 'putJob', job: job('a') }])
      const statuses = ['pending', 'running', 'succeeded'] as const
      const commits = statuses.map((s) => store.submitBatch!([{ op: 'putRun', run: run(1, 'a', s) }]))
      expect(commits.every((c) => c instanceof Promise)).toBe(true)
      // Not awaited: the blocking read is answered after every batch sent before it.
      expect(store.getRun(1)?.status).toBe('succeeded')
      await Promise.all(commits)
    } finally {
      store.close()
    }
  })

  it('a failed batch applies nothing, rejects, and fails the next blocking write once', async () => {
    const store = createPostgresSchedulerStore({ url: server!.createDatabase('submitted_failure') })
    try {
      store.applyBatch([{ op: 'putJob', job: job('a') }])
      // A job without a task type breaks a NOT NULL column: the whole batch, the valid run included, is rolled back.
      const failed = store.submitBatch!([
        { op: 'putRun', run: run(1, 'a', 'pending') },
        { op: 'putJob', job: { ...job('b'), taskType: null as unknown as string } },
      ])
      const caught = failed!.catch((err: unknown) => err)
      expect(() => store.applyBatch([])).toThrow(/scheduler store write/)
      expect((await caught) as Error).toMatchObject({ code: 'STORE_WRITE' })
      expect(store.getRun(1)).toBeNull()
      // Reported once: the next write goes through.
      store.applyBatch([{ op: 'putRun', run: run(1, 'a', 'pending') }])
      expect(store.getRun(1)?.status).toBe('pending')
    } finally {
      store.close()
    }
  })
  it('commit queued batches as one transaction; a failing one is rolled back alone', async () => {
    const store = createPostgresSchedulerStore({ url: server!.createDatabase('submitted_group') })
    const txid = { sql: 'SELECT txid_current()::text AS x' }
    const xOf = (r: { rows: unknown[] }) => (r.rows[0] as { x: string }).x
    try {
      // While the first sleeps, the next ones queue up in the worker.
      const sleeping = store.pg.submitTransaction([{ sql: 'SELECT pg_sleep(0.3)' }])
      const grouped = await Promise.all([1, 2, 3].map(() => store.pg.submitTransaction([txid])))
      expect(new Set(grouped.map(xOf)).size).toBe(1)
      await sleeping
      const again = store.pg.submitTransaction([{ sql: 'SELECT pg_sleep(0.3)' }])
      const first = store.pg.submitTransaction([txid])
      const bad = store.pg.submitTransaction([{ sql: 'SELECT 1 / 0' }]).catch((err: unknown) => err)
      const last = store.pg.submitTransaction([txid])
      await again
      expect((await bad) as Error).toMatchObject({ code: 'PG_ERROR', sqlState: '22012' })
      // Run again alone after the group failed: each committed in its own transaction.
      expect(xOf(await first)).not.toBe(xOf(await last))
      expect(() => store.pg.drain()).toThrow(/earlier transaction failed/)
    } finally {
      store.close()
    }
  })
})
