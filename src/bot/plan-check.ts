// Checks a configured plan before anything starts: adapter params, address book, caps and allowlists, with no RPC call.
import { isAddressEqual, type Address } from 'viem'
import type { BotConfig } from '../config/schema.ts'
import { ConfigError, type ConfigIssue } from '../config/errors.ts'
import { ValidationError } from '../errors/validation-error.ts'
import { createAddressBook } from '../../protocols/address-book/index.ts'
import { createReadContext } from '../../protocols/context.ts'
import { createDefaultRegistry } from '../../protocols/index.ts'
import { readAmount } from '../../protocols/shared/amount.ts'
import { applyAmountRuleOffline } from '../../protocols/shared/amount-fields.ts'
import { CALL_TARGET } from '../../protocols/shared/resolve.ts'
import type { AddressBook, ChainBook } from '../../protocols/types.ts'
import { protocolCallArgsSchema } from './tasks/protocol-call.ts'
import { tokenCapIssues } from './token-caps.ts'

/** One contract a job will call, by the book's name. */
export interface PlannedContract {
  chainId: number
  name: string
  address: Address
  allowlisted: boolean
}

/** One job of the plan as checked. */
export interface PlannedJob {
  id: string
  taskType: string
  trigger: unknown
  enabled: boolean
  dependencies: string[]
  adapter?: string
  wallet?: string
  /** Adapter params after the amount rule (amounts as base-unit strings). */
  params?: Record<string, unknown>
  contracts: PlannedContract[]
}

/** The checked plan and every problem found (empty: the plan can start). */
export interface PlanReport {
  jobs: PlannedJob[]
  chains: Array<{
    id: number
    name: string
    allowlist: string[]
    caps: { maxValuePerTx: string; dailyNative: string; dailyTokens: Record<string, string> }
  }>
  issues: ConfigIssue[]
}

/** Why the offline build stopped: it reached the first chain read, so every book lookup before it passed. */
class OfflineStop extends Error {}

/**
 * The address book a real-chain config runs with: the built-in book plus `chains[].book` overrides. Undefined for
 * the embedded devnet and for an `addressBook:` file, whose addresses exist only once those chains are deployed.
 */
export function configuredBook(config: BotConfig): AddressBook | undefined {
  if (config.devnet.embedded || config.addressBook) return undefined
  return createAddressBook(config.chains)
}

/**
 * Checks the plan and throws a ConfigError (exit 2) listing every problem with its path (plus `extra` problems
 * the caller found, e.g. wallets without keys for a live run); nothing has started yet.
 */
export async function assertPlan(config: BotConfig, source: string, extra: ConfigIssue[] = []): Promise<PlanReport> {
  const report = await checkPlan(config, configuredBook(config))
  if (report.issues.length + extra.length > 0) {
    throw new ConfigError(
      'CONFIG_INVALID',
      source,
      [...report.issues, ...extra],
      'fix each problem listed (`bot check` prints the whole plan); nothing was started',
    )
  }
  return report
}

/** Checks every protocol_call job against its adapter's schema, the book and the chain's allowlist; no RPC. */
export async function checkPlan(config: BotConfig, book: AddressBook | undefined): Promise<PlanReport> {
  const registry = createDefaultRegistry()
  const issues: ConfigIssue[] = []
  const wallets = new Set(config.wallets.map((w) => w.name))
  const jobs: PlannedJob[] = []
  for (const [i, job] of config.jobs.entries()) {
    const planned: PlannedJob = {
      id: job.id,
      taskType: job.taskType,
      trigger: job.trigger,
      enabled: job.enabled,
      dependencies: job.dependencies,
      contracts: [],
    }
    jobs.push(planned)
    if (job.taskType !== 'protocol_call') continue
    const at = `jobs[${i}].args`
    const args = protocolCallArgsSchema.safeParse(job.args)
    if (!args.success) {
      for (const x of args.error.issues)
        issues.push({ path: [at, ...x.path.map(String)].join('.'), message: x.message })
      continue
    }
    planned.adapter = args.data.adapter
    planned.wallet = args.data.wallet
    if (!wallets.has(args.data.wallet))
      issues.push({
        path: `${at}.wallet`,
        message: `unknown wallet "${args.data.wallet}" (configured: ${[...wallets].join(', ') || 'none'})`,
      })
    if (!registry.has(args.data.adapter)) continue // the schema already reports an adapter not under `protocols`
    const adapter = registry.get(args.data.adapter)
    const enabledChains = config.protocols[adapter.id]?.chains
    if (!book) {
      // Embedded devnet: the schema still runs; token units wait for the devnet's book at run time.
      const stand = { ...args.data.params }
      for (const field of Object.keys(adapter.amounts ?? {})) {
        const a = readAmount(stand[field])
        if (a.ok && a.amount.kind === 'units') stand[field] = 1n // a well-formed amount; its decimals come with the devnet
      }
      const r = adapter.params.safeParse(stand)
      if (!r.success)
        for (const x of r.error.issues) issues.push({ path: `${at}.params.${x.path.join('.')}`, message: x.message })
      continue
    }
    const applied = applyAmountRuleOffline(adapter.amounts, args.data.params, book)
    for (const x of applied.issues) issues.push({ path: `${at}.params.${x.path}`, message: x.message })
    const parsed = adapter.params.safeParse(applied.params)
    if (!parsed.success) {
      const bad = new Set(applied.issues.map((x) => x.path))
      for (const x of parsed.error.issues) {
        const p = x.path.join('.')
        if (!bad.has(p) && !applied.deferred.includes(p)) issues.push({ path: `${at}.params.${p}`, message: x.message })
      }
      continue
    }
    planned.params = Object.fromEntries(
      Object.entries(parsed.data as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'bigint' ? `${v} wei` : v,
      ]),
    )
    const used: Array<{ chainId: number; name: string; address: Address }> = []
    const problem = await buildOffline(adapter, book, parsed.data, used)
    if (problem) for (const x of problem.issues) issues.push({ path: `${at}.params.${x.path}`, message: x.message })
    // Calls go out on the chain the spent amount is on; contracts resolved elsewhere (an L2 bridge) are only read.
    const spent = Object.values(adapter.amounts ?? {})
      .map((f) => f(args.data.params, book))
      .find((d) => d !== undefined)
    if (spent && 'token' in spent && spent.token !== 'ETH') {
      const token = book[spent.chainId]?.tokens[spent.token]
      if (token && !used.some((u) => u.chainId === spent.chainId && isAddressEqual(u.address, token.address))) {
        used.push({ chainId: spent.chainId, name: token.symbol, address: token.address })
      }
    }
    for (const u of used.filter((x) => !spent || x.chainId === spent.chainId)) {
      const chain = config.chains.find((c) => c.id === u.chainId)
      const allowlisted = (chain?.allowlist ?? []).some((a) => isAddressEqual(a as Address, u.address))
      planned.contracts.push({ ...u, allowlisted })
      if (enabledChains && !enabledChains.includes(u.chainId)) {
        issues.push({
          path: `${at}.params`,
          message: `adapter ${adapter.id} is enabled only on chains ${enabledChains.join(', ')}, not ${u.chainId}`,
          fix: `add ${u.chainId} to protocols.${adapter.id}.chains`,
        })
      }
      if (chain && !allowlisted) {
        issues.push({
          path: `${at}.params`,
          message: `${u.name} ${u.address} on chain ${u.chainId} is not in the chain's allowlist`,
          fix: `add "${u.address}" (${u.name}) to chains[${config.chains.indexOf(chain)}].allowlist`,
        })
      }
    }
  }
  if (book) {
    for (const [i, c] of config.chains.entries())
      issues.push(...tokenCapIssues(c.caps.dailyTokens, book[c.id], `chains[${i}].caps.dailyTokens`))
  }
  const chains = config.chains.map((c) => ({
    id: c.id,
    name: c.name,
    allowlist: c.allowlist,
    caps: {
      maxValuePerTx: `${c.caps.maxValuePerTx} wei`,
      dailyNative: `${c.caps.dailyNative} wei`,
      dailyTokens: c.caps.dailyTokens,
    },
  }))
  return { jobs, chains, issues: dedupe(issues) }
}

/**
 * Runs the adapter's buildCalls up to its first chain read, recording each contract it resolves as a call target.
 * Book problems (unknown chain, token, contract, a stranger as recipient) surface here as ValidationErrors.
 */
async function buildOffline(
  adapter: ReturnType<ReturnType<typeof createDefaultRegistry>['get']>,
  book: AddressBook,
  params: unknown,
  used: Array<{ chainId: number; name: string; address: Address }>,
): Promise<ValidationError | undefined> {
  const recording: AddressBook = Object.fromEntries(
    Object.entries(book).map(([id, entry]) => [id, withRecorder(entry, used)]),
  )
  // Own wallets are not known without keys; a placeholder wallet stands for "one of them".
  const me = '0x000000000000000000000000000000000000bEEF' as Address
  const ctx = createReadContext({ clients: {}, wallet: me, ownWallets: [me], book: recording })
  ctx.client = () => {
    throw new OfflineStop()
  }
  try {
    await adapter.buildCalls(ctx, params)
  } catch (err) {
    if (err instanceof OfflineStop) return undefined
    if (err instanceof ValidationError) {
      // "not one of the operator's own wallets" only means the placeholder: recipients are checked with keys.
      const real = err.issues.filter((x) => !x.message.includes("is not one of the operator's own wallets"))
      return real.length ? new ValidationError(`${adapter.id} params`, real) : undefined
    }
    return undefined
  }
  return undefined
}

function withRecorder(entry: ChainBook, used: Array<{ chainId: number; name: string; address: Address }>): ChainBook {
  return {
    ...entry,
    [CALL_TARGET]: (name: string, address: Address) => {
      if (!used.some((u) => u.chainId === entry.chainId && u.name === name))
        used.push({ chainId: entry.chainId, name, address })
    },
  } as ChainBook
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>()
  return issues.filter((i) => {
    const k = `${i.path}\n${i.message}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
