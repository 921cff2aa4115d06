import { createScheduler } from '../src/scheduler/scheduler.ts'
import { createSqliteSchedulerStore } from '../src/store/sqlite-scheduler-store.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const n = Number(process.argv[2])
const store = createSqliteSchedulerStore({ path: join(mkdtempSync(join(tmpdir(), 'dbg-')), 's.db') })
const sched = createScheduler({ store, maxConcurrentJobs: n })
let done = 0
let resolveAll!: () => void
const all = new Promise<void>((r) => (resolveAll = r))
sched.registerTask({ type: 'noop', handler: async () => null })
sched.on('succeeded', () => { if (++done === n) resolveAll() })
const t = Date.now() + 4000
sched.addJobs(Array.from({ length: n }, (_, i) => ({ id: `j${i}`, taskType: 'noop', trigger: { type: 'date', at: t }, allowPastEvents: true, args: { i } })))
await sched.start()
await new Promise((r) => setTimeout(r, t - Date.now() - 5))
const c0 = process.cpuUsage()
const w0 = performance.now()
await all
const c = process.cpuUsage(c0)
console.log('wall', (performance.now() - w0).toFixed(0), 'cpu', ((c.user + c.system) / 1000).toFixed(0))
await sched.stop()
