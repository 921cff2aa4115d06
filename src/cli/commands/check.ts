// `bot check`: validates the config and its plan without connecting anywhere, then prints jobs, contracts and caps.
import { formatEther } from 'viem'
import { checkPlan, configuredBook } from '../../bot/plan-check.ts'
import { reportBookOf } from '../../bot/report-book.ts'
import { checkRpc } from '../../bot/rpc-check.ts'
import { ConfigError } from '../../config/errors.ts'
import { defineCommand } from '../command.ts'
import { EXIT } from '../errors.ts'

const eth = (wei: string) => `${formatEther(BigInt(wei.replace(/\s*wei$/, '')))} ETH`

export const checkCommand = defineCommand({
  name: 'check',
  summary:
    'check the config and its plan (params, address book, caps, allowlists); with --rpc also chains and balances',
  usage: 'check [--config <path>] [--rpc]',
  examples: [
    'bot check --config config/example.yaml',
    'bot check --rpc --config prod.yaml   also checks chain ids, contract code and wallet balances',
    'bot check --json --config prod.yaml',
  ],
  options: {
    rpc: {
      type: 'boolean',
      description: "connect to every RPC URL: chain ids, code of the plan's contracts, wallet balances (reads only)",
    },
  },
  async run(ctx) {
    const config = ctx.config
    if (!config) throw new Error('check needs a config')
    const book = configuredBook(config)
    const report = await checkPlan(config, book)
    const rpc = ctx.values.rpc === true ? await checkRpc(config, report, reportBookOf(config).book, ctx.env) : undefined
    const issues = [...report.issues, ...(rpc?.issues ?? [])]
    const { out } = ctx
    out.result({ ok: issues.length === 0, ...report, issues, ...(rpc ? { rpc } : {}) }, () => {
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
      if (rpc) {
        out.line('')
        out.line(out.paint.bold('rpc'))
        for (const e of rpc.endpoints)
          out.line(
            `  ${e.chain} ${e.url}: ${e.ok ? 'chain id ok' : e.answered === undefined ? 'UNREACHABLE' : `serves chain ${e.answered}`}`,
          )
        const missing = rpc.code.filter((c) => !c.hasCode)
        if (rpc.code.length)
          out.line(
            `  contract code: ${missing.length ? `MISSING at ${missing.map((c) => `${c.name}@${c.chainId}`).join(', ')}` : `ok (${rpc.code.length} contracts)`}`,
          )
        if (rpc.balances.length) out.line(out.paint.bold('balances (one round of the plan)'))
        for (const b of rpc.balances)
          out.line(`  ${b.ok ? b.line : out.paint.red(b.line)}${b.note ? ` (${b.note})` : ''}`)
        for (const n of rpc.notes) out.line(`  note: ${n}`)
      }
      out.line('')
      if (issues.length === 0)
        out.line(
          rpc ? 'plan OK: chains and balances checked, nothing sent' : 'plan OK: nothing connected, nothing sent',
        )
    })
    if (issues.length > 0)
      throw new ConfigError(
        'CONFIG_INVALID',
        ctx.global.configPath,
        issues,
        'fix each problem listed; nothing was started',
      )
    return EXIT.ok
  },
})
