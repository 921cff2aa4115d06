// `bot housekeeping [--dry-run]`: prune history and audit rows, optimize SQLite, clean registered directories now.
import { defineCommand } from '../command.ts'

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`

export const housekeepingCommand = defineCommand({
  name: 'housekeeping',
  summary: 'run housekeeping now: retention, SQLite upkeep, registered directory cleanup (--dry-run removes nothing)',
  usage: 'housekeeping [--dry-run]',
  examples: ['bot housekeeping --dry-run     lists what would be removed', 'bot housekeeping --json'],
  options: { 'dry-run': { type: 'boolean', description: 'report what would be removed, remove nothing' } },
  async run(ctx) {
    const r = await ctx.services.housekeeping({ dryRun: ctx.values['dry-run'] === true })
    const verb = r.dryRun ? 'would remove' : 'removed'
    ctx.out.result(r, () => {
      ctx.out.line(
        `${r.dryRun ? 'dry run: ' : ''}runs ${verb}: ${r.runsPruned}, audit rows ${verb}: ${r.auditPruned}, chart history rows ${verb}: ${r.historyPruned}`,
      )
      if (r.database.walCheckpoint)
        ctx.out.line(`database: optimized, WAL checkpointed (${r.database.walCheckpoint.checkpointed} pages)`)
      for (const d of r.directories) {
        if (d.error) {
          ctx.out.line(`${d.directory} (${d.pattern}): skipped: ${d.error}`)
          continue
        }
        ctx.out.line(
          `${d.directory} (${d.pattern}): ${verb} ${d.removed.length} file(s), ${mb(d.removedBytes)}; kept ${d.kept}, ${mb(d.keptBytes)}`,
        )
        for (const f of d.removed) ctx.out.line(`  ${f.name}  ${mb(f.bytes)}  (${f.reason})`)
      }
    })
  },
})
