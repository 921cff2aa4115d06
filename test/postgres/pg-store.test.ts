// The store conformance suite against PostgreSQL (a throwaway server from Debian's package), plus a real scheduler
// running a small plan on it and surviving a restart.
import { afterAll, describe, expect, it } from 'vitest'
import { postgresBinDir, startPostgres } from '../../scripts/postgres.ts'
import { describeStoreConformance } from '../../src/scheduler/store-conformance.ts'
import { createScheduler } from '../../src/scheduler/scheduler.ts'
import { createPostgresSchedulerStore } from '../../src/store/postgres/postgres-scheduler-store.ts'

const available = process.env.TEST_PG_URL !== undefined || postgresBinDir() !== null
if (!available) {
  if (process.env.CI) throw new Error('PostgreSQL is missing in CI: .ci/run installs it with apt (see .ci/apt-packages)')
  console.warn('\n!!! SKIPPING the PostgreSQL store tests: no server binaries under /usr/lib/postgresql (apt-get install postgresql) !!!\n')
}
const server = available ? await startPostgres() : undefined
afterAll(() => server?.stop())
let dbs = 0

if (server) {
  describeStoreConformance('postgresql', () => {
    const url = server.createDatabase(`conf_${++dbs}`)
    return { store: createPostgresSchedulerStore({ url }), reopen: () => createPostgresSchedulerStore({ url }) }
  })

  describe('scheduler on PostgreSQL', () => {
    it('runs a dependency chain, persists history, and reloads jobs after a restart', async () => {
      const url = server.createDatabase('sched_1')
      const ran: string[] = []
      const make = () => {
        const s = createScheduler({ store: createPostgresSchedulerStore({ url }) })
        s.registerTask({ type: 't', handler: async ({ jobId }) => { ran.push(jobId) } })
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
      expect(s2.listJobs().map((j) => j.id).sort()).toEqual(['a', 'b'])
      expect(s2.listRuns({ jobId: 'b' }).runs[0]).toMatchObject({ status: 'succeeded' })
      await s2.stop()
    })
  })
}
