// `bot check`: validates the config and its plan without connecting anywhere, then prints jobs, contracts and caps.
import { formatEther } from 'viem'
import { checkPlan, configuredBook } from '../../bot/plan-check.ts'
import { ConfigError } from '../../config/errors.ts'
import { defineCommand } from '../command.ts'
import { EXIT } from '../errors.ts'

const eth = (wei: string) => `${formatEther(BigInt(wei.replace(/\s*wei$/, '')))} ETH`

export const checkCommand = defineCommand({
  name: 'check',
  summary: 'check the config and its plan (params, address book, caps, allowlists) without any RPC call',
  usage: 'check [--config <path>]',
  examples: ['bot check --config config/example.yaml', 'bot check --json --config prod.yaml'],
  options: {},
  async run(ctx) {
    const config = ctx.config
    if (!config) throw new Error('check needs a config')
    const book = configuredBook(config)
    const report = await checkPlan(config, book)
    const { out } = ctx
    out.result({ ok: report.issues.length === 0, ...report }, () => {
      out.line(out.paint.bold('jobs'))
      out.table(
        [
          { key: 'id', header: 'JOB' },
          { key: 'trigger', header: 'TRIGGER', format: (v) => (typeof v === 'string' ? v : JSON.stringify(v)) },
          { key: 'dependencies', header: 'AFTER', format: (v) => (v as string[]).join(', ') || '-' },
          { key: 'adapter', header: 'ADAPTER', format: (v) => (v as string | undefined) ?? '-' },
          {
            key: 'contracts',
            header: 'CALLS',
            format: (v) =>
              (v as Array<{ chainId: number; name: string; allowlisted: boolean }>)
                .map((c) => `${c.name}@${c.chainId}${c.allowlisted ? '' : ' (NOT ALLOWLISTED)'}`)
                .join(', ') || '-',
          },
        ],
        report.jobs.filter((j) => j.enabled),
      )
      const off = report.jobs.filter((j) => !j.enabled).map((j) => j.id)
      if (off.length) out.line(`disabled: ${off.join(', ')}`)
      for (const c of report.chains) {
        out.line('')
        out.line(out.paint.bold(`chain ${c.id} (${c.name})`))
        out.line(
          `  caps: ${eth(c.caps.maxValuePerTx)} per tx, ${eth(c.caps.dailyNative)} native per day; tokens per day: ${
            Object.entries(c.caps.dailyTokens)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || 'none (no token can be spent)'
          }`,
        )
        out.line(`  allowlist: ${c.allowlist.join(', ') || 'empty (no contract can be called)'}`)
      }
      if (!book)
        out.line(
          config.devnet.embedded
            ? "\naddress book: the embedded devnet's (checked when it starts)"
            : `\naddress book: ${config.addressBook} (checked when the bot starts)`,
        )
      out.line('')
      if (report.issues.length === 0) out.line('plan OK: nothing connected, nothing sent')
    })
    if (report.issues.length > 0)
      throw new ConfigError(
        'CONFIG_INVALID',
        ctx.global.configPath,
        report.issues,
        'fix each problem listed; nothing was started',
      )
    return EXIT.ok
  },
})
