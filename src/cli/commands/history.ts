// `bot history`: recent runs, optionally of one job.
import { parsePositiveInt } from '../args.ts'
import { defineCommand } from '../command.ts'
import { formatDuration, formatTime, paintStatus } from '../format.ts'
import { printTxs } from '../tx-lines.ts'

export const historyCommand = defineCommand({
  name: 'history',
  summary: 'show recent runs (status, attempt, times, reason or error)',
  usage: 'history [--job <id>] [--limit <n>]',
  examples: ['bot history', 'bot history --job swap-weth-usdc --limit 5', 'bot history --limit 100 --json'],
  options: {
    job: { type: 'string', valueName: '<id>', description: 'only runs of this job' },
    limit: { type: 'string', valueName: '<n>', description: 'how many runs, newest first (default 20, at most 10000)' },
  },
  async run(ctx) {
    const limit = parsePositiveInt(ctx.values.limit as string | undefined, 'limit', 20, 10_000)
    const jobId = ctx.values.job as string | undefined
    const runs = await ctx.services.history({ ...(jobId !== undefined ? { jobId } : {}), limit })
    const { out } = ctx
    out.result(runs, () => {
      out.table(
        [
          { key: 'startedAt', header: 'STARTED', format: (v) => formatTime(v as number | null) },
          { key: 'jobId', header: 'JOB' },
          { key: 'status', header: 'STATUS', format: (v) => paintStatus(String(v), out.paint) },
          { key: 'attempt', header: 'TRY' },
          {
            key: 'finishedAt',
            header: 'TOOK',
            format: (_v, r) => (r.startedAt && r.finishedAt ? formatDuration(r.finishedAt - r.startedAt) : '-'),
          },
          { key: 'reason', header: 'REASON / ERROR', max: 70, format: (_v, r) => r.error ?? r.reason ?? '' },
        ],
        runs,
      )
      const sent = runs.filter((r) => r.transactions?.length)
      if (sent.length) out.line(out.paint.bold('\ntransactions'))
      for (const r of sent) {
        out.line(`run ${r.runId} ${r.jobId}:`)
        printTxs(out, r.transactions!)
      }
    })
  },
})
