// `bot backup [path]`: an online, integrity-checked copy of the state database; safe while `bot run` runs.
import { defineCommand } from '../command.ts'

export const backupCommand = defineCommand({
  name: 'backup',
  summary: 'write an online, integrity-checked backup of the state database (works while the bot runs)',
  usage: 'backup [<file or directory>]',
  examples: [
    'bot backup                         into the backups directory (default .state/backups)',
    'bot backup /mnt/usb/bot.db',
  ],
  options: {},
  positionals: { min: 0, max: 1, names: 'a file or directory' },
  async run(ctx) {
    const r = await ctx.services.backup(ctx.positionals[0])
    ctx.out.result(r, () => ctx.out.line(`backup written: ${r.path} (${r.bytes} bytes, integrity ok)`))
  },
})
