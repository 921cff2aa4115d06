// One instance of the I/O-bound scale-out bench, as its own process: a scheduler on SQLite (one instance) or in
// cluster mode on PostgreSQL, with N date-triggered jobs firing at AT, each making three calls to the slow RPC
// server, at most CONCURRENCY at once (a resource pool), plus TICKERS interval jobs that print their precise
// fire->start lag ("lag <ms>"). Prints "booted" once loaded, reads the fire time AT (epoch ms) as a line on stdin,
// then adds the plan, starts and prints "ready"; runs until the parent stops it (SIGTERM).
import { createScheduler } from '../src/scheduler/index.ts'
import { createSqliteSchedulerStore } from '../src/store/sqlite-scheduler-store.ts'
import { createPgCoordinator } from '../src/store/postgres/pg-cluster.ts'
import { createPostgresSchedulerStore } from '../src/store/postgres/postgres-scheduler-store.ts'

/** What the parent passes as the one argument (JSON). */
export interface IoInstanceArgs {
  store:
    | { kind: 'sqlite'; path: string }
    /** blockingBatches: the loop's batches block the thread as every other call does (the bridge before). */
    | { kind: 'postgres'; url: string; instanceId: string; blockingBatches?: boolean }
  jobs: number
  rpcUrl: string
  concurrency: number
  callsPerRun: number
  tickers: number
}

const a = JSON.parse(process.argv[2]!) as IoInstanceArgs
const TICK_MS = 1_000
const base = { maxConcurrentJobs: a.concurrency + a.tickers, resourcePools: { rpc: a.concurrency } }
const sched =
  a.store.kind === 'sqlite'
    ? createScheduler({ ...base, store: createSqliteSchedulerStore({ path: a.store.path }) })
    : (() => {
        const store = createPostgresSchedulerStore({ url: a.store.url, fenceOwner: a.store.instanceId })
        if (a.store.blockingBatches) delete store.submitBatch
        const coordinator = createPgCoordinator({ pg: store.pg, instanceId: a.store.instanceId, leaseMs: 5_000 })
        return createScheduler({ ...base, store, cluster: { coordinator, heartbeatMs: 250 } })
      })()

sched.registerTask({
  type: 'rpc-calls',
  handler: async ({ args, signal }) => {
    const { i } = args as { i: number }
    for (let k = 0; k < a.callsPerRun; k++) {
      const res = await fetch(a.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: `${i}-${k}`, method: 'eth_blockNumber', params: [] }),
        signal,
      })
      if (!res.ok) throw new Error(`slow RPC answered ${res.status}`)
      await res.json()
    }
    return null
  },
})
sched.registerTask({
  type: 'tick',
  handler: async ({ args }) => {
    // The fire this run belongs to: the last period boundary. Date.now() is the scheduler's own clock, so a run is
    // never seen before its fire (a monotonic clock drifts from it by milliseconds); lag has 1 ms resolution.
    const { start } = args as { start: number }
    const now = Date.now()
    const fire = start + Math.floor((now - start) / TICK_MS) * TICK_MS
    process.stdout.write(`lag ${now - fire}\n`)
    return null
  },
})
process.stdout.write('booted\n')
const at = await new Promise<number>((resolve) => {
  let buf = ''
  process.stdin.on('data', (b: Buffer) => {
    buf += b.toString()
    if (buf.includes('\n')) resolve(Number(buf.trim()))
  })
})
process.stdin.pause()
const iso = new Date(at).toISOString()
sched.addJobs(
  [
    ...Array.from({ length: a.jobs }, (_, i) => ({
      id: `io-${i}`,
      taskType: 'rpc-calls',
      trigger: { type: 'date' as const, at: iso },
      resources: { rpc: 1 },
      misfireGraceTime: 600_000,
      args: { i },
    })),
    // Staggered over the period, high priority and outside the pool: they measure the trigger path, not queueing.
    ...Array.from({ length: a.tickers }, (_, t) => {
      const start = at + Math.round((t * TICK_MS) / a.tickers)
      return {
        id: `tick-${t}`,
        taskType: 'tick',
        priority: 'high' as const,
        trigger: { type: 'interval' as const, every: 1, unit: 's' as const, start: new Date(start).toISOString() },
        args: { start },
      }
    }),
  ],
  { ifExists: 'keep' },
)
await sched.start()
process.stdout.write('ready\n')
process.once('SIGTERM', () => void sched.stop({ graceMs: 1_000 }).then(() => process.exit(0)))
