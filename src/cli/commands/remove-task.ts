// `bot remove-task <job>`: deletes a job from the state (its run history is kept until retention prunes it).
import { defineCommand } from '../command.ts'

export const removeTaskCommand = defineCommand({
  name: 'remove-task',
  summary: 'remove a job from the state (run history is kept until pruned by retention)',
  usage: 'remove-task <job>',
  examples: ['bot remove-task old-swap', 'bot remove-task old-swap --json'],
  options: {},
  positionals: { min: 1, max: 1, names: 'a job id' },
  async run(ctx) {
    const jobId = ctx.positionals[0] as string
    await ctx.services.removeTask(jobId)
    ctx.out.result({ removed: jobId }, () => ctx.out.line(`removed ${jobId}`))
  },
})
