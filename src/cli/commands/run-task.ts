// `bot run-task <job>`: one run of a job now, optionally with other args; waits for its outcome.
import { defineCommand } from '../command.ts'
import { EXIT, UsageError } from '../errors.ts'
import { formatDuration, paintStatus } from '../format.ts'

export const runTaskCommand = defineCommand({
  name: 'run-task',
  summary: 'run one job now (outside its schedule) and wait for the outcome',
  usage: 'run-task <job> [--args <json>]',
  examples: [
    'bot run-task swap-weth-usdc',
    'bot run-task bridge-to-l2 --args \'{"adapter":"op-bridge","params":{"amount":"0.01"}}\'',
  ],
  options: { args: { type: 'string', valueName: '<json>', description: "replace the job's args for this run (JSON)" } },
  positionals: { min: 1, max: 1, names: 'a job id' },
  async run(ctx) {
    const jobId = ctx.positionals[0] as string
    const raw = ctx.values.args as string | undefined
    let argsOverride: unknown
    if (raw !== undefined) {
      try {
        argsOverride = JSON.parse(raw)
      } catch {
        throw new UsageError('--args is not valid JSON', 'quote it for the shell, e.g. --args \'{"amount":"0.1"}\'')
      }
    }
    const progress = ctx.out.progress(`running ${jobId}`)
    try {
      const run = await ctx.services.runTask(jobId, {
        ...(raw !== undefined ? { argsOverride } : {}),
        signal: ctx.signal,
      })
      const ok = run.status === 'succeeded'
      if (ok) progress.succeed(`${jobId} succeeded`)
      else progress.fail(`${jobId} ${run.status}${run.error ? `: ${run.error}` : ''}`)
      ctx.out.result(run, () =>
        ctx.out.line(
          `run ${run.runId}: ${paintStatus(run.status, ctx.out.paint)}` +
            ` (attempt ${run.attempt}, ${formatDuration(run.startedAt && run.finishedAt ? run.finishedAt - run.startedAt : null)})`,
        ),
      )
      return ok ? EXIT.ok : EXIT.failed
    } catch (err) {
      progress.fail()
      throw err
    }
  },
})
