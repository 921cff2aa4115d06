// `bot jobs`: every job with its trigger, priority, dependencies, next fire and last result.
import { defineCommand } from '../command.ts'
import { formatTime, paintStatus } from '../format.ts'

export const jobsCommand = defineCommand({
  name: 'jobs',
  summary: 'list jobs: trigger, priority, dependencies, next fire time, last result',
  usage: 'jobs',
  examples: ['bot jobs', 'bot jobs --json | jq ".[] | select(.enabled)"'],
  options: {},
  async run(ctx) {
    const jobs = await ctx.services.listJobs()
    const { out } = ctx
    out.result(jobs, () =>
      out.table(
        [
          { key: 'id', header: 'JOB' },
          { key: 'taskType', header: 'TYPE' },
          { key: 'trigger', header: 'TRIGGER', max: 32 },
          { key: 'priority', header: 'PRIO' },
          { key: 'dependencies', header: 'DEPENDS ON', format: (v, j) => dependsOn(v as string[], j.triggerRule) },
          {
            key: 'enabled',
            header: 'STATE',
            format: (_v, j) =>
              !j.enabled ? paintStatus('disabled', out.paint) : j.paused ? paintStatus('paused', out.paint) : 'active',
          },
          { key: 'nextFireAt', header: 'NEXT', format: (v) => formatTime(v as number | null) },
          {
            key: 'lastRun',
            header: 'LAST',
            format: (_v, j) => (j.lastRun ? paintStatus(j.lastRun.status, out.paint) : '-'),
          },
        ],
        jobs,
      ),
    )
  },
})

/** `a,b` under the default rule, `a,b (none_failed)` under another; `-` without dependencies. */
function dependsOn(deps: string[], rule: string): string {
  if (deps.length === 0) return '-'
  return rule === 'all_success' ? deps.join(',') : `${deps.join(',')} (${rule})`
}
