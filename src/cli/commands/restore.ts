// `bot restore <backup>`: replaces the state with a backup; refuses while a bot runs; keeps the old state aside.
import { defineCommand } from '../command.ts'
import { UsageError } from '../errors.ts'

export const restoreCommand = defineCommand({
  name: 'restore',
  summary: 'replace the state with a backup (refuses while a bot runs; the current state is saved first)',
  usage: 'restore <backup file> [--yes]',
  examples: ['bot restore .state/backups/bot-20261123T023000Z.db --yes'],
  options: { yes: { type: 'boolean', description: 'do not ask for confirmation' } },
  positionals: { min: 1, max: 1, names: 'the backup file' },
  async run(ctx) {
    const file = ctx.positionals[0] as string
    if (ctx.values.yes !== true) {
      if (!ctx.interactive)
        throw new UsageError('restore replaces the state: confirm with --yes', `bot restore ${file} --yes`)
      const answer = await ctx.prompt(`replace the state with ${file}? type "yes": `, false)
      if (answer.trim() !== 'yes') throw new UsageError('not confirmed; nothing changed', 'type "yes" or pass --yes')
    }
    const r = await ctx.services.restore(file)
    ctx.out.result(r, () => {
      ctx.out.line(`state restored from ${r.restoredFrom}`)
      if (r.previousSavedAs) ctx.out.line(`previous state saved as ${r.previousSavedAs}`)
      ctx.out.line(
        "on the next start the bot compares each wallet's chain nonce with the restored journal and halts sending if the chain is ahead",
      )
    })
  },
})
