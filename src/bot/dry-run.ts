// `bot --dry-run`: runs the plan on local anvil forks (or per-call simulation) and reports what each job would do.
import { nameOfAddress } from '../../protocols/address-book/index.ts'
import { functionNameOf } from './call-names.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeFunctionData, erc20Abi, formatUnits, type Address } from 'viem'
import type { DryRunJobReport, OnceReport, ProgressEvent } from './services.ts'
import type { BotConfig } from '../config/schema.ts'
import type { Logger } from '../logging/logger.ts'
import type { DispatchGate } from '../scheduler/index.ts'
import { startAnvil, type AnvilInstance } from '../devnet/anvil.ts'
import { onceWith } from './once.ts'
import { createRunCallsStore } from './run-calls.ts'
import { createBotRuntime, type BotRuntime } from './runtime.ts'
import { isKeyless } from '../chain/keyless-account.ts'
import { startKeylessForkProxy, type KeylessForkProxy } from './keyless-fork-proxy.ts'

type Balances = Map<string, bigint>

/** Options of a dry run. */
export interface DryRunOptions {
  logger: Logger
  signal: AbortSignal
  onProgress: (e: ProgressEvent) => void
}

const SENDING = new Set(['protocol_call', 'send_calls'])

/**
 * Forks every configured chain with a local anvil and runs the whole plan there against a throwaway state
 * database, one job at a time, so balance changes can be attributed per job. Nothing reaches a real chain.
 * When a chain cannot be forked, sending jobs run with `dryRun: true` instead: the engine simulates each call
 * and stops before signing. Waits the risk policy would impose are reported as refusals instead of waited out.
 */
export async function runDryOnce(config: BotConfig, o: DryRunOptions): Promise<OnceReport> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-dry-run-'))
  const forks: AnvilInstance[] = []
  const proxies: KeylessForkProxy[] = []
  let mode: 'fork' | 'simulation' = 'fork'
  let note: string | undefined
  let plan = config
  let overrides: Record<number, string> | undefined
  try {
    if (config.devnet.embedded) {
      note = 'the embedded devnet is itself a local throwaway chain; the plan runs on it'
    } else {
      o.onProgress({ kind: 'step', message: `forking ${config.chains.length} chain(s) with local anvil` })
      try {
        overrides = {}
        for (const c of config.chains) {
          const f = await startAnvil({ chainId: c.id, forkUrl: c.rpcUrls[0] })
          forks.push(f)
          // Wallets known by address only send through the fork's impersonation, via this proxy.
          const p = await startKeylessForkProxy(f.rpcUrl)
          proxies.push(p)
          overrides[c.id] = p.url
        }
        // A fork automines one block per transaction and never reorgs: waiting for more confirmations there
        // would wait forever, so one block confirms.
        plan = { ...config, chains: config.chains.map((c) => ({ ...c, confirmations: Math.min(c.confirmations, 1) })) }
      } catch (err) {
        mode = 'simulation'
        overrides = undefined
        note = `no fork available (${(err as Error).message.split('\n')[0]}); each call is simulated instead, nothing is signed`
        plan = {
          ...config,
          jobs: config.jobs.map((j) =>
            SENDING.has(j.taskType) ? { ...j, args: { ...(j.args as Record<string, unknown>), dryRun: true } } : j,
          ),
        }
      }
    }
    const snaps: { runId: string | null; balances: Balances }[] = []
    let rt: BotRuntime | undefined
    const refusals = new Map<string, DryRunJobReport['refusals']>()
    const wrapGate =
      (gate: DispatchGate): DispatchGate =>
      async (input) => {
        const d = await gate(input)
        if (d.action === 'run') {
          if (rt) snaps.push({ runId: input.runId, balances: await balances(rt) })
          return d
        }
        refusals.set(input.runId, [{ by: 'risk', reason: `${d.action}: ${d.reason}` }])
        return { action: 'skip', reason: `dry run: the policy would ${d.action} this run (${d.reason})` }
      }
    o.onProgress({ kind: 'step', message: 'composing the bot on the dry-run chains' })
    rt = await createBotRuntime(plan, {
      logger: o.logger,
      dbPath: join(dir, 'dry-run.db'),
      rpcOverrides: overrides,
      wrapGate,
      maxConcurrentJobs: 1,
      notify: false,
      // On forks (or in per-call simulation, where nothing is signed) no key is needed: keys are for live sends.
      keyless: !config.devnet.embedded,
      isolatedForks: mode === 'fork' && !config.devnet.embedded,
    })
    try {
      const report = await onceWith(rt, o.onProgress, { signal: o.signal })
      snaps.push({ runId: null, balances: await balances(rt) })
      const summary = report
      const keyless = [...rt.env.wallets].filter(([, a]) => isKeyless(a)).map(([name]) => name)
      summary.dryRunMode = { mode, note, ...(keyless.length > 0 ? { keyless } : {}) }
      for (const job of summary.jobs) {
        const run = rt.scheduler.listRuns({ jobId: job.jobId, limit: 1 }).runs[0]
        if (!run) continue
        const runId = String(run.id)
        const i = snaps.findIndex((s) => s.runId === runId)
        job.dryRun = jobReport(
          rt,
          runId,
          mode,
          i >= 0 ? snaps[i]!.balances : undefined,
          i >= 0 ? snaps[i + 1]?.balances : undefined,
          refusals.get(runId) ?? refusalOf(run.error),
        )
        const evidence = evidenceOf(run.resultJson)
        if (evidence) job.dryRun.evidence = evidence
      }
      return summary
    } finally {
      await rt.close()
    }
  } finally {
    await Promise.all(proxies.map((p) => p.close()))
    await Promise.all(forks.map((f) => f.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Native and address-book token balances of every wallet on every chain, keyed `chain:wallet:token`. */
async function balances(rt: BotRuntime): Promise<Balances> {
  const out: Balances = new Map()
  for (const c of rt.env.chains) {
    for (const w of rt.env.wallets.values()) {
      out.set(`${c.chainId}:${w.address}:ETH`, await c.client.getBalance({ address: w.address }))
      for (const t of Object.values(rt.env.book[c.chainId]?.tokens ?? {})) {
        out.set(
          `${c.chainId}:${w.address}:${t.symbol}`,
          await c.client.readContract({
            address: t.address,
            abi: erc20Abi,
            functionName: 'balanceOf',
            args: [w.address],
          }),
        )
      }
    }
  }
  return out
}

function evidenceOf(resultJson: string | null): string | undefined {
  if (!resultJson) return undefined
  try {
    const e = (JSON.parse(resultJson) as { evidence?: unknown }).evidence
    return typeof e === 'string' ? e : undefined
  } catch {
    return undefined
  }
}

function refusalOf(error: string | null): DryRunJobReport['refusals'] {
  if (!error) return undefined
  if (/POLICY_NOT_ALLOWLISTED|SPENDER_NOT_ALLOWLISTED|allowlist/.test(error))
    return [{ by: 'allowlist', reason: error }]
  if (/POLICY_|cap/.test(error)) return [{ by: 'cap', reason: error }]
  if (/revert/i.test(error)) return [{ by: 'simulation', reason: error }]
  return undefined
}

function jobReport(
  rt: BotRuntime,
  runId: string,
  mode: 'fork' | 'simulation',
  before: Balances | undefined,
  after: Balances | undefined,
  refusals: DryRunJobReport['refusals'],
): DryRunJobReport {
  const intents = rt.engine.journal.byRun(runId).filter((r) => r.kind === 'normal')
  const calls = intents.map((r) => ({
    chainId: r.chainId,
    to: r.to,
    contract: nameOfAddress(rt.env.book, r.chainId, r.to),
    function: functionNameOf(r.data),
    value: r.value.toString(),
    data: r.data,
    gas: r.gasLimit?.toString(),
    feeWei: r.gasLimit && r.maxFeePerGas ? (r.gasLimit * r.maxFeePerGas).toString() : undefined,
  }))
  const allowanceChanges = intents.flatMap((r) => {
    try {
      const d = decodeFunctionData({ abi: erc20Abi, data: r.data })
      return d.functionName === 'approve'
        ? [{ chainId: r.chainId, token: r.to, spender: d.args[0] as Address, amount: (d.args[1] as bigint).toString() }]
        : []
    } catch {
      return []
    }
  })
  const balanceChanges: NonNullable<DryRunJobReport['balanceChanges']> = []
  if (before && after) {
    for (const [key, b] of before) {
      const delta = (after.get(key) ?? b) - b
      if (delta === 0n) continue
      const [chainId, , token] = key.split(':')
      const id = Number(chainId)
      const decimals = token === 'ETH' ? 18 : (rt.env.book[id]?.tokens[token!]?.decimals ?? 0)
      const shown = `${delta > 0n ? '+' : ''}${formatUnits(delta, decimals)} ${token}`
      balanceChanges.push({ chainId: id, token: token!, delta: delta.toString(), formatted: shown })
    }
  }
  return {
    mode,
    calls,
    balanceChanges,
    allowanceChanges,
    refusals,
    slippageBps: swapSlippage(rt, runId, balanceChanges),
  }
}

/** Matches the uniswap-v2 and uniswap-v3 call labels: `swap 1 ETH for >= 506.9 USDC (quote 512 USDC = 512000000 wei)`. */
const SWAP_LABEL = /for >= [\d.]+ (\S+) \(quote [\d.]+ \S+ = (\d+) wei\)/

/**
 * Realized slippage of a swap against its quote, in bps (positive = received less than quoted), from the
 * pinned calls' quote and the wallet's balance change of the output token.
 */
function swapSlippage(rt: BotRuntime, runId: string, changes: { token: string; delta: string }[]): number | undefined {
  for (const call of createRunCallsStore(rt.db).get(runId)?.calls ?? []) {
    const m = SWAP_LABEL.exec(call.label)
    if (!m) continue
    const quote = BigInt(m[2]!)
    const got = changes.find((c) => c.token === m[1])
    if (!got || quote === 0n) return undefined
    return Number(((quote - BigInt(got.delta)) * 10_000n) / quote)
  }
  return undefined
}
