// `bot add-task`: adds one job, from flags or a JSON/YAML file, validated like a config `jobs[]` entry.
import { resolve } from 'node:path'
import { parseJobConfig, readConfigFile } from '../../config/load.ts'
import { defineCommand } from '../command.ts'
import { UsageError } from '../errors.ts'

export const addTaskCommand = defineCommand({
  name: 'add-task',
  summary: 'add a job (from flags, or a JSON/YAML file with one job definition)',
  usage:
    'add-task --id <id> --type <taskType> [--trigger <t>] [--priority <p>] [--depends-on <id>]... [--args <json>] [--disabled]\n' +
    '       bot add-task --file <job.json|job.yaml>',
  examples: [
    'bot add-task --id tick --type market_tick --trigger interval_30s --priority high',
    'bot add-task --id nightly-swap --type protocol_call --trigger daily_at_02:30 --depends-on approve-router \\\n' +
      '    --args \'{"adapter":"uniswap-v2","params":{"tokenIn":"WETH","tokenOut":"USDC","amountIn":"0.1"}}\'',
    'bot add-task --id weekly --type rebalance --trigger \'{"type":"cron","expression":"0 6 * * 1","timezone":"Europe/Berlin"}\'',
    'bot add-task --file jobs/bridge.yaml',
  ],
  options: {
    file: { type: 'string', valueName: '<path>', description: 'a JSON or YAML file holding one job definition' },
    id: { type: 'string', valueName: '<id>', description: 'job id (unique)' },
    type: {
      type: 'string',
      valueName: '<taskType>',
      description: 'task type, e.g. protocol_call, market_tick, rebalance',
    },
    trigger: {
      type: 'string',
      valueName: '<t>',
      description: 'short trigger (hourly, daily_at_09:30, interval_30m, manual) or trigger JSON',
    },
    priority: { type: 'string', valueName: '<p>', description: 'critical, high, normal (default), low, lowest' },
    'depends-on': { type: 'string', multiple: true, valueName: '<id>', description: 'a job that must succeed first' },
    args: { type: 'string', valueName: '<json>', description: "the job's args (JSON)" },
    disabled: { type: 'boolean', description: 'add it disabled' },
  },
  async run(ctx) {
    const v = ctx.values
    let raw: unknown
    if (v.file !== undefined) {
      const others = ['id', 'type', 'trigger', 'priority', 'depends-on', 'args', 'disabled'].filter(
        (k) => v[k] !== undefined,
      )
      if (others.length)
        throw new UsageError(`--file cannot be combined with --${others.join(', --')}`, 'put every field in the file')
      raw = readConfigFile(resolve(ctx.global.cwd, String(v.file)))
    } else {
      if (v.id === undefined || v.type === undefined)
        throw new UsageError('add-task needs --id and --type (or --file)', 'see `bot add-task --help`')
      const trigger = v.trigger as string | undefined
      raw = {
        id: v.id,
        taskType: v.type,
        ...(trigger !== undefined
          ? { trigger: trigger.trim().startsWith('{') ? json(trigger, 'trigger') : trigger }
          : {}),
        ...(v.priority !== undefined ? { priority: v.priority } : {}),
        ...(v['depends-on'] !== undefined ? { dependencies: v['depends-on'] } : {}),
        ...(v.args !== undefined ? { args: json(String(v.args), 'args') } : {}),
        ...(v.disabled === true ? { enabled: false } : {}),
      }
    }
    const job = await parseJobConfig(raw, v.file !== undefined ? String(v.file) : 'add-task')
    const added = await ctx.services.addTask(job)
    ctx.out.result(added, () => ctx.out.line(`added ${added.id} (${added.trigger})`))
  },
})

function json(text: string, flag: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`--${flag} is not valid JSON`, `quote it for the shell, e.g. --${flag} '{"key":"value"}'`)
  }
}
