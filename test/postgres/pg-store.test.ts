// The store conformance suite against PostgreSQL (a throwaway server from Debian's package), plus a real scheduler
// running a small plan on it and surviving a restart.
import { afterAll, describe, expect, it } from 'vitest'
import { postgresBinDir, startPostgres } from '../../scripts/postgres.ts'
import { describeStoreConformance } from '../../src/scheduler/testing/store-conformance.ts'
import { createScheduler } from '../../src/scheduler/index.ts'
import { createPostgresSchedulerStore } from '../../src/store/postgres/postgres-scheduler-store.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { onceWith } from '../../src/bot/once.ts'
import { createBotRuntime } from '../../src/bot/runtime.ts'
import { openStateView } from '../../src/bot/state-view.ts'
import { parseConfig } from '../../src/config/load.ts'
import { createSyncPg } from '../../src/store/postgres/sync-pg.ts'
import {
  CONFORMANCE_CHAIN,
  CONFORMANCE_WALLETS,
  describeJournalConformance,
} from '../../src/chain/journal-conformance.ts'
import { createPgIntentJournal } from '../../src/store/postgres/pg-intent-journal.ts'
import { createPgLaneLeases } from '../../src/store/postgres/pg-lanes.ts'

const available = process.env.TEST_PG_URL !== undefined || postgresBinDir() !== null
if (!available) {
  if (process.env.CI)
    throw new Error('PostgreSQL is missing in CI: .ci/run installs it with apt (see .ci/apt-packages)')
  console.warn(
    '\n!!! SKIPPING the PostgreSQL store tests: no server binaries under /usr/lib/postgresql (apt-get install postgresql) !!!\n',
  )
}
const server = available ? await startPostgres() : undefined
afterAll(() => server?.stop())
let dbs = 0

if (server) {
  describeStoreConformance('postgresql', () => {
    const url = server.createDatabase(`conf_${++dbs}`)
    return { store: createPostgresSchedulerStore({ url }), reopen: () => createPostgresSchedulerStore({ url }) }
  })

  // The journal records only for lanes its instance holds, so the instance takes the suite's lanes first.
  describeJournalConformance('postgresql', async (now) => {
    const store = createPostgresSchedulerStore({ url: server.createDatabase(`journal_${++dbs}`) })
    const lanes = createPgLaneLeases({ pg: store.pg, instanceId: 'conformance' })
    for (const wallet of CONFORMANCE_WALLETS) await lanes.acquire(CONFORMANCE_CHAIN, wallet)
    return {
      journal: createPgIntentJournal({ pg: store.pg, instanceId: 'conformance', now }),
      close: () => {
        lanes.close()
        store.close()
      },
    }
  })

  describe('synchronous bridge', () => {
    it('a call that timed out never hands its late answer to a later call', async () => {
      const pg = createSyncPg(server.createDatabase('bridge_1'), 300)
      expect(() => pg.query('SELECT pg_sleep(1) AS slow')).toThrow(/did not answer within 300 ms/)
      // Queued behind the slow query (one request at a time on the connection), so it times out too.
      expect(() => pg.query('SELECT 42 AS v')).toThrow(/did not answer within 300 ms/)
      // Once both late answers have arrived, a call gets its own. Under load they can take longer than the sleep,
      // so a call that times out is tried again (up to 5 s later), each try asking for its own number: a late answer
      // handed to a later call would show as another number.
      for (let v = 7; ; v++) {
        await new Promise((r) => setTimeout(r, 1_000))
        let rows: { v: number }[]
        try {
          rows = pg.query<{ v: number }>(`SELECT ${v} AS v`)
        } catch (err) {
          if (v < 12 && /did not answer within 300 ms/.test(String(err))) continue
          throw err
        }
        expect(rows).toEqual([{ v }])
        break
      }
      pg.close()
    }, 30_000)
  })

  describe('scheduler on PostgreSQL', () => {
    it('runs a dependency chain, persists history, and reloads jobs after a restart', async () => {
      const url = server.createDatabase('sched_1')
      const ran: string[] = []
      const make = () => {
        const s = createScheduler({ store: createPostgresSchedulerStore({ url }) })
        s.registerTask({
          type: 't',
          handler: async ({ jobId }) => {
            ran.push(jobId)
          },
        })
        return s
      }
      const s1 = make()
      s1.addJob({ id: 'a', taskType: 't', trigger: 'manual' })
      s1.addJob({ id: 'b', taskType: 't', trigger: 'manual', dependencies: ['a'] })
      const summary = await s1.runOnce()
      expect(ran).toEqual(['a', 'b'])
      expect(summary).toBeTruthy()
      await s1.stop()
      const s2 = make()
      expect(
        s2
          .listJobs()
          .map((j) => j.id)
          .sort(),
      ).toEqual(['a', 'b'])
      expect(s2.listRuns({ jobId: 'b' }).runs[0]).toMatchObject({ status: 'succeeded' })
      await s2.stop()
    })
  })

  describe('bot with store.kind postgres', () => {
    it('keeps jobs and runs in PostgreSQL; a postgres store without a URL is a config error', async () => {
      await expect(parseConfig({ store: { kind: 'postgres' } }, 'pg')).rejects.toThrow(
        /store.url: store.kind "postgres" needs store.url/,
      )
      const url = server.createDatabase('bot_1')
      const dir = mkdtempSync(join(tmpdir(), 'bot-pg-'))
      try {
        const config = await parseConfig(
          {
            store: { kind: 'postgres', url: '${TEST_BOT_PG}', path: join(dir, 'state.db') },
            jobs: [{ id: 'hello', taskType: 'noop', trigger: 'manual' }],
          },
          'pg',
          { env: { TEST_BOT_PG: url } },
        )
        const rt = await createBotRuntime(config, { logger: pino({ level: 'silent' }) })
        try {
          await rt.scheduler.runOnce()
        } finally {
          await rt.close({ graceMs: 0 })
        }
        const pg = createSyncPg(url)
        try {
          expect(pg.query<{ status: string }>("SELECT status FROM runs WHERE job_id = 'hello'")).toEqual([
            { status: 'succeeded' },
          ])
          expect(pg.query<{ id: string }>('SELECT id FROM jobs ORDER BY id').map((r) => r.id)).toContain('hello')
        } finally {
          pg.close()
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }, 120_000)

    it('in cluster mode: --once refuses, and the CLI state view sends its pause to the running instance', async () => {
      const url = server.createDatabase('bot_cluster')
      const dir = mkdtempSync(join(tmpdir(), 'bot-pgc-'))
      try {
        const raw = {
          store: {
            kind: 'postgres',
            url: '${TEST_BOT_PG}',
            path: join(dir, 'a', 'state.db'),
            cluster: { instanceId: 'a', leaseMs: 3_000, heartbeatMs: 200 },
          },
          server: { enabled: false },
          jobs: [{ id: 'hello', taskType: 'noop', trigger: 'interval_30m' }],
        }
        const config = await parseConfig(raw, 'pg', { env: { TEST_BOT_PG: url } })
        const rt = await createBotRuntime(config, {
          logger: pino({ level: process.env.DEBUG_PG ? 'debug' : 'silent' }),
        })
        try {
          await expect(onceWith(rt, () => undefined)).rejects.toMatchObject({ code: 'ONCE_CLUSTER' })
          await rt.start()
          const viewConfig = await parseConfig(
            { ...raw, store: { ...raw.store, path: join(dir, 'cli', 'state.db') } },
            'pg',
            { env: { TEST_BOT_PG: url } },
          )
          const view = openStateView(viewConfig)
          view.scheduler.pause('hello')
          await view.close()
          const deadline = Date.now() + 5_000
          while (!rt.scheduler.getJob('hello')!.paused && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 50))
          expect(rt.scheduler.getJob('hello')!.paused).toBe(true)
          const pg = createSyncPg(url)
          try {
            // The view held no lease; the instance holds the job's group.
            expect(pg.query<{ owner: string }>("SELECT owner FROM job_groups WHERE grp = 'job:hello'")).toEqual([
              { owner: 'a' },
            ])
          } finally {
            pg.close()
          }
        } finally {
          await rt.close({ graceMs: 0 })
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }, 120_000)
  })
}

describe('PostgreSQL URL secrets', () => {
  it('redacts the password of a store URL from errors, not the user or database name', async () => {
    const { redactSecrets } = await import('../../src/logging/redact.ts')
    const url = 'postgres://botuser:Sup3r-Secret-Pw@127.0.0.1:1/botstate'
    const pg = createSyncPg(url, 5_000)
    let message = ''
    try {
      pg.query('SELECT 1')
    } catch (err) {
      message = (err as Error).message
    } finally {
      pg.close()
    }
    expect(message).not.toBe('')
    // The password is a registered secret: scrubbed even where no URL pattern surrounds it.
    expect(redactSecrets('auth failed for Sup3r-Secret-Pw')).toBe('auth failed for [redacted]')
    expect(redactSecrets('user botuser on database postgres')).toBe('user botuser on database postgres')
    expect(message).not.toContain('Sup3r-Secret-Pw')
  }, 30_000)
})
