// Batches submitted to the PostgreSQL bridge without blocking: they commit in the order sent, a later blocking call
// sees them, and a failed one applies nothing and fails the next blocking write, so nobody takes it for durable.
// The usual batch is one statement: all or nothing, and fenced by the group lease even against a takeover under way.
// Rows travel as one array per column, so a batch of any size is one prepared statement per shape.
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresBinDir, startPostgres } from '../../scripts/postgres.ts'
import { batchStatements } from '../../src/store/postgres/pg-batch-statements.ts'
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
/** Makes instance 'a' the holder of group 'g' (with job `jobId`) for a minute, as a cluster claim would. */
const holdGroup = (store: ReturnType<typeof createPostgresSchedulerStore>, jobId: string) =>
  store.pg.query(`INSERT INTO job_groups (grp, job_ids, owner, lease_until) VALUES ('g', $1, 'a', $2)`, [
    JSON.stringify([jobId]),
    Date.now() + 60_000,
  ])
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

  it('a batch of runs, attempts and state is one statement, applied all or nothing', async () => {
    const store = createPostgresSchedulerStore({ url: server!.createDatabase('submitted_one') })
    try {
      store.applyBatch([{ op: 'putJob', job: job('a') }])
      const ops = [
        { op: 'putRun', run: run(1, 'a', 'running') },
        { op: 'putJobState', job: { ...job('a'), executions: 1 } },
        { op: 'setState', key: 'k', value: 'v' },
      ] as const
      expect(batchStatements(ops)).toHaveLength(1)
      // A NOT NULL attempt column breaks the last part: the run, the job state and the state entry are not written.
      const broken = { runId: 1, attempt: 1, startedAt: null as unknown as number, endedAt: 2, error: 'x' }
      const failed = store.submitBatch!([...ops, { op: 'putAttempt', attempt: broken }])!.catch((e: unknown) => e)
      expect((await failed) as Error).toMatchObject({ code: 'STORE_WRITE' })
      expect(() => store.applyBatch([])).toThrow(/scheduler store write/)
      expect(store.getRun(1)).toBeNull()
      expect(store.getJob('a')?.executions).toBe(0)
      expect(store.getState('k')).toBeNull()
      await store.submitBatch!(ops)
      expect(store.getRun(1)?.status).toBe('running')
      expect(store.getState('k')).toBe('v')
    } finally {
      store.close()
    }
  })

  it('a fenced batch waits for a takeover under way and then writes nothing for the lost group', async () => {
    const url = server!.createDatabase('submitted_fence_race')
    const store = createPostgresSchedulerStore({ url, fenceOwner: 'a' })
    const peer = new pg.Client({ connectionString: url })
    await peer.connect()
    try {
      store.applyBatch([{ op: 'putJob', job: job('f') }])
      holdGroup(store, 'f')
      const ops = [
        { op: 'putRun', run: run(1, 'f', 'running'), group: 'g' },
        { op: 'putJobState', job: { ...job('f'), executions: 1 }, group: 'g' },
      ] as const
      expect(batchStatements(ops, 'a')).toHaveLength(1)
      // The peer takes the group over in a transaction it has not committed yet.
      await peer.query('BEGIN')
      await peer.query("UPDATE job_groups SET owner = 'b' WHERE grp = 'g'")
      let settled = false
      const write = store.submitBatch!(ops)!.finally(() => (settled = true))
      await new Promise((r) => setTimeout(r, 300))
      expect(settled).toBe(false)
      await peer.query('COMMIT')
      await write
      expect(store.getRun(1)).toBeNull()
      expect(store.getJob('f')?.executions).toBe(0)
      // Still the owner: the same batch is written.
      store.pg.query("UPDATE job_groups SET owner = 'a' WHERE grp = 'g'")
      await store.submitBatch!(ops)
      expect(store.getRun(1)?.status).toBe('running')
      expect(store.getJob('f')?.executions).toBe(1)
    } finally {
      await peer.end()
      store.close()
    }
  })

  it('rows travel as column arrays: any value survives, any size is one statement, each shape is prepared once', async () => {
    const store = createPostgresSchedulerStore({ url: server!.createDatabase('submitted_arrays'), fenceOwner: 'a' })
    try {
      store.applyBatch([{ op: 'putJob', job: job('a') }])
      holdGroup(store, 'a')
      const odd = [
        '',
        'NULL',
        'a "quoted", {braced} value',
        'back\\slash \\" end\\',
        'line\nbreak\ttab',
        'ünï 🚀',
        '{"k":[1,"x"]}',
      ]
      const tricky = odd.map((text, i) => ({
        ...run(i + 1, 'a', 'failed'),
        error: text,
        resultJson: odd[(i + 1) % odd.length]!,
        reason: i % 2 ? null : text,
      }))
      await store.submitBatch!(tricky.map((r) => ({ op: 'putRun' as const, run: r, group: 'g' })))
      for (const r of tricky) expect(store.getRun(r.id)).toEqual(r)
      // 5,000 runs of 19 columns: 95,000 values, above the 65,535 parameters one statement may have.
      const many = Array.from({ length: 5_000 }, (_, i) => run(100 + i, 'a', 'succeeded'))
      const ops = [
        ...many.map((r) => ({ op: 'putRun' as const, run: r, group: 'g' })),
        { op: 'putJobState' as const, job: { ...job('a'), executions: 5_000 }, group: 'g' },
      ]
      expect(batchStatements(ops, 'a')).toHaveLength(1)
      await store.submitBatch!(ops)
      expect(store.pg.query<{ n: number }>("SELECT count(*)::int AS n FROM runs WHERE status = 'succeeded'")).toEqual([
        { n: 5_000 },
      ])
      expect(store.getJob('a')?.executions).toBe(5_000)
      // The batch of runs alone (7 rows) and a batch of 5,000 runs with a job state (another shape) were prepared on
      // the store's connection, once each; a batch of runs alone of another size uses the same one.
      await store.submitBatch!([{ op: 'putRun', run: run(9, 'a', 'pending'), group: 'g' }])
      expect(store.getRun(9)?.status).toBe('pending')
      const prepared = store.pg.query<{ name: string }>(
        "SELECT name FROM pg_prepared_statements WHERE statement LIKE 'WITH fence%INSERT INTO runs%' AND statement NOT LIKE '%UPDATE jobs%'",
      )
      expect(prepared.map((p) => p.name)).toEqual([expect.stringMatching(/^airdrops_\d+$/)])
    } finally {
      store.close()
    }
  })

  it('prepares at most 256 texts per connection; the ones after that still run, unprepared', async () => {
    const store = createPostgresSchedulerStore({ url: server!.createDatabase('submitted_prepared_bound') })
    try {
      const answers: unknown[] = []
      for (let i = 0; i < 260; i++) {
        const out = await store.pg.submitTransaction([
          { sql: `SELECT ${i} + $1::int AS n`, params: [1], prepare: true },
        ])
        answers.push((out.rows[0] as { n: number }).n)
      }
      expect(answers).toEqual(Array.from({ length: 260 }, (_, i) => i + 1))
      const named = store.pg.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'airdrops\\_%'",
      )
      expect(named).toEqual([{ n: 256 }])
      // A text prepared earlier is used again under its name; one past the bound is sent as it is, again and again.
      expect(store.pg.transaction([{ sql: 'SELECT 0 + $1::int AS n', params: [5], prepare: true }]).rows).toEqual([
        { n: 5 },
      ])
      expect(store.pg.transaction([{ sql: 'SELECT 259 + $1::int AS n', params: [1], prepare: true }]).rows).toEqual([
        { n: 260 },
      ])
      expect(store.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).toEqual([
        { n: 256 },
      ])
    } finally {
      store.close()
    }
  })
})
