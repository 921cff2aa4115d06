// `bot run` (until SIGINT/SIGTERM) and `bot --once` (each enabled job once), both optionally `--dry-run`.
import { assertPlan } from '../../bot/plan-check.ts'
import { liveKeyIssues } from '../../bot/keyless-wallets.ts'
import { defineCommand, type CommandContext } from '../command.ts'
import { EXIT, UsageError } from '../errors.ts'
import { formatDuration, paintStatus } from '../format.ts'
import type { DryRunJobReport, OnceReport, ProgressEvent } from '../../bot/services.ts'
import { formatEther, formatGwei, getAddress } from 'viem'
import { parseDurationMs } from '../../config/units.ts'

export const runCommand = defineCommand({
  name: 'run',
  summary: 'run the plan: continuously until SIGINT/SIGTERM, or once with --once',
  usage: 'run [--once] [--dry-run]   (also: bot --once, bot --dry-run)',
  examples: [
    'bot --once                              run every enabled job once in dependency order (embedded devnet demo by default)',
    'bot run --config config/prod.yaml       run until stopped (SIGINT/SIGTERM shut down gracefully)',
    'bot --once --dry-run --config prod.yaml fork the configured chains and report what each job would do',
    'bot --once --json                       machine-readable report; exit code 0 ok, 1 a job failed or did not run',
    'bot --once --max-wait 15m               cancel what still waits (gas, dependencies) after 15 minutes and report why',
  ],
  options: {
    once: { type: 'boolean', description: 'run every enabled job once in dependency order, then exit' },
    'dry-run': {
      type: 'boolean',
      description: 'broadcast nothing: run on local forks (or per-call simulation) and report',
    },
    port: {
      type: 'string',
      valueName: '<n>',
      description: 'serve the API and dashboard on this port (0 = a free one, printed); overrides server.port',
    },
    'max-wait': {
      type: 'string',
      valueName: '<duration>',
      description:
        "with --once: stop waiting after this long (e.g. 10m, 2h); default the plan's longest maxDelay plus 2 min",
    },
  },
  async run(ctx) {
    const config = ctx.config
    if (!config) throw new Error('run needs a config')
    const dryRun = ctx.values['dry-run'] === true
    // A plan that cannot work is refused before any chain, store or devnet is touched (exit 2, every problem listed);
    // a live run also needs every wallet's key.
    await assertPlan(config, ctx.global.configPath, dryRun ? [] : liveKeyIssues(config))
    const once = ctx.values.once === true || dryRun
    // A dry run broadcasts nothing and must not write the live state, so it may run beside `bot run`.
    const lock = dryRun
      ? undefined
      : (await import('../../store/lock.ts')).acquireStateLock(config.store.path, ctx.global.cwd)
    try {
      return once ? await runOnce(ctx, dryRun) : await runForever(ctx, dryRun)
    } finally {
      lock?.release()
    }
  },
})

async function runOnce(ctx: CommandContext, dryRun: boolean): Promise<number> {
  const maxWaitMs = parseMaxWait(ctx.values['max-wait'])
  const progress = ctx.out.progress(dryRun ? 'dry run: preparing forks' : 'running every enabled job once')
  let report: OnceReport
  // A waiting job's reason is a line of its own (the spinner line is overwritten by the next update).
  const onProgress = (e: ProgressEvent) =>
    e.kind === 'job' && (e.status === 'delayed' || e.status === 'held')
      ? ctx.out.note(describe(e))
      : progress.update(describe(e))
  try {
    report = await ctx.services.runOnce({ dryRun, signal: ctx.signal, onProgress, maxWaitMs })
  } catch (err) {
    progress.fail()
    throw err
  }
  const failed = report.jobs.filter((j) => j.status !== 'succeeded').length
  if (report.ok) progress.succeed(`${report.jobs.length} job(s) done`)
  else progress.fail(`${failed} of ${report.jobs.length} job(s) did not succeed`)
  ctx.out.result(report, () => {
    printOnce(ctx, report)
    printNotRun(ctx, report)
  })
  return report.ok ? EXIT.ok : EXIT.failed
}

async function runForever(ctx: CommandContext, dryRun: boolean): Promise<number> {
  ctx.out.note(
    `bot running (pid ${process.pid}${dryRun ? ', dry run: nothing is broadcast' : ''}); Ctrl-C or SIGTERM stops it`,
  )
  const port = parsePort(ctx.values.port)
  await ctx.services.runForever({
    dryRun,
    port,
    onListening: (url) => ctx.out.note(`api listening on ${url} (dashboard at ${url}/)`),
    signal: ctx.signal,
    onProgress: (e) => ctx.logger.info({ event: e }, describe(e)),
  })
  ctx.out.note('stopped cleanly')
  return EXIT.ok
}

function describe(e: ProgressEvent): string {
  return e.kind === 'step' ? e.message : `${e.jobId}: ${e.status}${e.message ? ` (${e.message})` : ''}`
}

function printOnce(ctx: CommandContext, report: OnceReport): void {
  const { out } = ctx
  if (report.dryRunMode) {
    out.line(
      `dry run on ${report.dryRunMode.mode === 'fork' ? 'local forks' : 'per-call simulation (no fork available)'}` +
        `${report.dryRunMode.note ? `: ${report.dryRunMode.note}` : ''}`,
    )
    if (report.dryRunMode.keyless)
      out.line(
        `wallets without keys (run by address, impersonated on the forks): ${report.dryRunMode.keyless.join(', ')}`,
      )
  }
  out.table(
    [
      { key: 'jobId', header: 'JOB' },
      { key: 'status', header: 'STATUS', format: (v) => paintStatus(String(v), out.paint) },
      { key: 'durationMs', header: 'TIME', format: (v) => formatDuration(v as number | undefined) },
      { key: 'error', header: 'ERROR', max: 80 },
    ],
    report.jobs,
  )
  for (const job of report.jobs) {
    const d = job.dryRun
    if (!d) continue
    out.line('')
    out.line(out.paint.bold(`${job.jobId}`) + ` (${d.mode})`)
    for (const c of d.calls) {
      out.line(`  ${describeCall(c)}`)
    }
    for (const b of d.balanceChanges ?? [])
      out.line(`  balance on chain ${b.chainId}: ${b.formatted ?? `${b.delta} base units of ${b.token}`}`)
    for (const a of d.allowanceChanges ?? [])
      out.line(`  allowance ${a.token} -> ${a.spender} on ${a.chainId}: ${a.amount}`)
    if (d.slippageBps !== undefined) out.line(`  slippage ${d.slippageBps} bps`)
    if (d.evidence) out.line(`  checked: ${d.evidence}`)
    for (const r of d.refusals ?? []) out.line(out.paint.yellow(`  would be refused by ${r.by}: ${r.reason}`))
  }
}

/** After the table: why each job that did not run did not, and what stopped the run early. */
function printNotRun(ctx: CommandContext, report: OnceReport): void {
  const notRun = report.jobs.filter((j) => j.status !== 'succeeded' && j.status !== 'failed')
  if (report.stoppedBy) ctx.out.line(ctx.out.paint.yellow(`stopped early: ${report.stoppedBy}`))
  if (notRun.length === 0) return
  ctx.out.line(`${notRun.length} job(s) did not run:`)
  for (const j of notRun) ctx.out.line(`  ${j.jobId}: ${j.status}${j.error ? `, ${j.error}` : ''}`)
}

/** `--max-wait` as milliseconds (a duration such as 90s, 15m, 2h); anything else is a usage error naming the flag. */
function parseMaxWait(v: unknown): number | undefined {
  if (v === undefined) return undefined
  const ms = typeof v === 'string' ? parseDurationMs(v) : null
  if (ms === null || ms <= 0) {
    throw new UsageError(`--max-wait: expected a duration such as 90s, 15m or 2h, got "${String(v).slice(0, 20)}"`)
  }
  return ms
}

/** `--port` as a number 0-65535; anything else is a usage error naming the flag. */
function parsePort(v: unknown): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (typeof v !== 'string' || !/^\d{1,5}$/.test(v) || n > 65_535) {
    throw new UsageError(`--port: expected a port number 0-65535 (0 picks a free one), got "${String(v).slice(0, 20)}"`)
  }
  return n
}

/**
 * One call as a person reads it: `swapRouter02.multicall (0xE592…) on chain 1: value 0 ETH, gas 184,000, fee up to
 * 0.00276 ETH (15 gwei per gas)`. `--json` keeps the exact base units.
 */
function describeCall(c: DryRunJobReport['calls'][number]): string {
  const target = `${c.contract ?? getAddress(c.to)}${c.function ? `.${c.function}` : ''}${c.contract ? ` (${getAddress(c.to)})` : ''}`
  const gas = c.gas === undefined ? 'gas ?' : `gas ${Number(c.gas).toLocaleString('en-US')}`
  const fee =
    c.feeWei === undefined
      ? 'fee ?'
      : `fee up to ${formatEther(BigInt(c.feeWei))} ETH${c.gas && c.gas !== '0' ? ` (${formatGwei(BigInt(c.feeWei) / BigInt(c.gas))} gwei per gas)` : ''}`
  return `${target} on chain ${c.chainId}: value ${formatEther(BigInt(c.value))} ETH, ${gas}, ${fee}`
}
