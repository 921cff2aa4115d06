// Builds the four job-control commands (enable, disable, pause, resume), which differ only in their action.
import { defineCommand, type Command } from './command.ts'

const SUMMARY = {
  enable: 'enable a job: it is scheduled by its trigger again',
  disable: 'disable a job: no new runs until enabled (the definition is kept)',
  pause: 'pause a job: fires are held until resumed',
  resume: 'resume a paused job',
} as const

/** The command for one job-control action. */
export function jobStateCommand(action: keyof typeof SUMMARY): Command {
  return defineCommand({
    name: action,
    summary: SUMMARY[action],
    usage: `${action} <job>`,
    examples: [`bot ${action} swap-weth-usdc`, `bot ${action} bridge-to-l2 --json`],
    options: {},
    positionals: { min: 1, max: 1, names: 'a job id' },
    async run(ctx) {
      const job = await ctx.services.setJobState(ctx.positionals[0] as string, action)
      ctx.out.result(job, () =>
        ctx.out.line(`${job.id}: ${job.enabled ? (job.paused ? 'paused' : 'active') : 'disabled'}`),
      )
    },
  })
}
