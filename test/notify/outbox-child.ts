// Child process of the outbox crash test: queues numbered events and runs the real sender until it is killed.
// Imports the two files it needs, not the module entry: each restart stays quick.
import { notifySchema } from '../../src/notify/config-schema.ts'
import { createNotifier } from '../../src/notify/notifier.ts'
import { openDatabase } from '../../src/store/database.ts'

const [dbPath, totalArg] = process.argv.slice(2)
const total = Number(totalArg)
const db = openDatabase({ path: dbPath! })
const config = notifySchema.parse({
  channels: [{ name: 'hook', type: 'webhook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET', minSeverity: 'info' }],
  sendInterval: 5,
  retry: { baseDelay: 5, maxDelay: 20, maxAttempts: 100 },
  rateLimit: { perWindow: 1_000 },
})
const notifier = createNotifier({ config, db, env: process.env })
notifier.start()
// Continue numbering where the killed predecessor stopped: every committed event is in the outbox.
let next = (db.prepare('SELECT count(*) AS n FROM notify_outbox').get() as { n: number }).n
const timer = setInterval(() => {
  if (next < total) {
    notifier.emit({
      kind: 'tx_dropped',
      severity: 'warning',
      title: `event ${next}`,
      action: 'none',
      dedupKey: `e:${next}`,
      fields: {},
    })
    process.stdout.write(`queued ${next}\n`)
    next += 1
    return
  }
  const open = (
    db.prepare("SELECT count(*) AS n FROM notify_outbox WHERE status IN ('pending', 'sending')").get() as { n: number }
  ).n
  if (open === 0) {
    clearInterval(timer)
    process.stdout.write('done\n')
    void notifier.stop().then(() => {
      db.close()
      process.exit(0)
    })
  }
}, 4)
