// One instance of the scale-out bench, as its own process: a scheduler in cluster mode on the PostgreSQL URL it
// is given, with `N` date-triggered no-op jobs firing at `AT`. It runs until the parent stops it (SIGTERM).
import { createScheduler } from '../src/scheduler/index.ts'
import { createPgCoordinator } from '../src/store/postgres/pg-cluster.ts'
import { createPostgresSchedulerStore } from '../src/store/postgres/postgres-scheduler-store.ts'

const [url, instanceId, n, at] = process.argv.slice(2) as [string, string, string, string]
const store = createPostgresSchedulerStore({ url })
const coordinator = createPgCoordinator({ pg: store.pg, instanceId, leaseMs: 5_000 })
const sched = createScheduler({ store, maxConcurrentJobs: 64, cluster: { coordinator, heartbeatMs: 250 } })
sched.registerTask({ type: 'noop', handler: async () => null })
const iso = new Date(Number(at)).toISOString()
sched.addJobs(
  Array.from({ length: Number(n) }, (_, i) => ({
    id: `j${i}`,
    taskType: 'noop',
    trigger: { type: 'date' as const, at: iso },
    args: { i },
  })),
  { ifExists: 'keep' },
)
await sched.start()
process.stdout.write('ready\n')
process.once('SIGTERM', () => void sched.stop({ graceMs: 1_000 }).then(() => process.exit(0)))
