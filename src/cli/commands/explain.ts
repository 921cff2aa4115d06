// `bot explain <job>`: why a job waits (gas, dependency, breaker, thinning, misfire, pause) and its last gate decision.
import { defineCommand } from '../command.ts'
import { formatTime } from '../format.ts'
import { printTxs } from '../tx-lines.ts'

export const explainCommand = defineCommand({
  name: 'explain',
  summary: 'explain why a job is waiting: gas, dependency, breaker, thinning, misfire, pause',
  usage: 'explain <job>',
  examples: ['bot explain swap-weth-usdc', 'bot explain bridge-to-l2 --json'],
  options: {},
  positionals: { min: 1, max: 1, names: 'a job id' },
  async run(ctx) {
    const e = await ctx.services.explain(ctx.positionals[0] as string)
    const { out } = ctx
    out.result(e, () => {
      out.line(`${out.paint.bold(e.jobId)}: ${e.state}; next fire ${formatTime(e.nextFireAt)}`)
      if (e.dependencies.length) out.line(`  depends on ${e.dependencies.join(', ')} (trigger rule ${e.triggerRule})`)
      if (e.waitingOn.length === 0) out.line('  not waiting on anything')
      for (const w of e.waitingOn) out.line(`  waits on ${out.paint.yellow(w.kind)}: ${w.detail}`)
      if (e.lastDecision) {
        out.line(
          `  last gate decision: ${e.lastDecision.decision} (${e.lastDecision.reason}) at ${formatTime(e.lastDecision.at)}`,
        )
      }
      if (e.lastRunTransactions?.length) {
        out.line('  last run sent:')
        printTxs(out, e.lastRunTransactions, '    ')
      }
    })
  },
})
