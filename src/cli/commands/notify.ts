// `bot notify test [channel]`: queues a test message through the outbox and delivers it now, per channel.
import { defineCommand } from '../command.ts'
import { UsageError } from '../errors.ts'
import { createNotifier } from '../../notify/index.ts'
import { openDatabase } from '../../store/database.ts'

export const notifyCommand = defineCommand({
  name: 'notify',
  summary: 'send a test notification to every configured channel, or to one',
  usage: 'notify test [<channel>]',
  examples: [
    'bot notify test                   one test message per channel under notify.channels',
    'bot notify test ops-telegram      only that channel',
  ],
  options: {},
  positionals: { min: 1, max: 2, names: '"test" and an optional channel name' },
  async run(ctx) {
    const [action, channel] = ctx.positionals
    if (action !== 'test')
      throw new UsageError('notify takes "test"', 'e.g. `bot notify test` or `bot notify test <channel>`')
    const config = ctx.config!
    const db = openDatabase({ path: config.store.path })
    try {
      const notifier = createNotifier({ config: config.notify, db, env: ctx.env, logger: ctx.logger })
      const results = await notifier.test(channel)
      ctx.out.result(
        results.map(({ channel: c, ok, status, error }) => ({ channel: c, ok, status, error })),
        () => {
          for (const r of results)
            ctx.out.line(
              `${r.channel.padEnd(24)} ${r.ok ? `delivered (HTTP ${r.status})` : `NOT delivered: ${r.error} (it stays in the outbox; the running bot retries it)`}`,
            )
        },
      )
      return results.every((r) => r.ok) ? 0 : 1
    } finally {
      db.close()
    }
  },
})
