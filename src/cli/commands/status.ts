// `bot status`: scheduler state, circuit breaker, job counts and the next runs.
import { defineCommand } from '../command.ts'
import { formatTime, paintStatus } from '../format.ts'
import { savingsLine } from '../savings-line.ts'

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'show the scheduler state, the circuit breaker and the next runs',
  usage: 'status',
  examples: ['bot status', 'bot status --json', 'bot status --config config/prod.yaml'],
  options: {},
  async run(ctx) {
    const s = await ctx.services.status()
    const { out } = ctx
    out.result(s, () => {
      out.line(`scheduler: ${paintStatus(s.scheduler, out.paint)}${s.pid ? ` (pid ${s.pid})` : ''}`)
      out.line(
        `breaker:   ${paintStatus(s.breaker.state, out.paint)}${s.breaker.reason ? ` — ${s.breaker.reason}` : ''}` +
          `${s.breaker.resetsAt ? ` (reset check at ${formatTime(s.breaker.resetsAt)})` : ''}`,
      )
      out.line(
        `jobs:      ${s.jobs.total} total, ${s.jobs.enabled} enabled, ${s.jobs.paused} paused, ${s.jobs.running} running`,
      )
      for (const m of s.market ?? []) {
        out.line(
          `market:    chain ${m.chainId}: base fee ${m.baseFeeGwei ?? '?'} gwei, volatility ${m.volatility ?? '?'} (at ${formatTime(m.updatedAt)})`,
        )
      }
      if (s.savings)
        for (const [label, w] of [
          ['last day', s.savings.day],
          ['last week', s.savings.week],
        ] as const)
          out.line(savingsLine(label, w))
      out.line('')
      out.line(out.paint.bold('next runs'))
      out.table(
        [
          { key: 'at', header: 'AT', format: (v) => formatTime(v as number) },
          { key: 'jobId', header: 'JOB' },
        ],
        s.nextRuns,
      )
    })
  },
})
