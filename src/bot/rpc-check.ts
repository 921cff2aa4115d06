// `bot check --rpc`: each RPC's chain id, code at every contract the plan calls, and wallet balances against the plan.
import type { PublicClient } from 'viem'
import { createChainClient } from '../chain/clients.ts'
import { mapViemError } from '../chain/map-viem-error.ts'
import type { BotConfig } from '../config/schema.ts'
import type { ConfigIssue } from '../config/errors.ts'
import { redactUrls } from '../logging/redact.ts'
import type { AddressBook } from '../../protocols/types.ts'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import type { PlanReport } from './plan-check.ts'
import { nativeAmount, tokenAmount, type Amount, type ReportBook } from './report-format.ts'
import { planSpends, type Spend } from './plan-spends.ts'
import { walletAddresses } from './wallet-addresses.ts'

/** Gas each planned transaction is reserved at (a swap with its approval stays well under it per call). */
export const GAS_PER_TX = 300_000n

/** One RPC URL as checked (the URL with its secrets redacted). */
export interface EndpointCheck {
  chainId: number
  chain: string
  url: string
  ok: boolean
  /** The chain id it answered, when it answered. */
  answered?: number
}

/** One wallet/chain/asset balance against what one round of the plan spends. */
export interface BalanceCheck {
  wallet: string
  address: string
  chainId: number
  chain: string
  asset: string
  balance: Amount
  needs: Amount
  /** Native lines: the fee reserve on top of `needs`. */
  gas?: Amount
  ok: boolean
  note?: string
  line: string
}

/** What `--rpc` found; `issues` use the config's paths, like every other check problem. */
export interface RpcCheckReport {
  endpoints: EndpointCheck[]
  code: Array<{ chainId: number; name: string; address: string; hasCode: boolean }>
  balances: BalanceCheck[]
  notes: string[]
  issues: ConfigIssue[]
}

/**
 * Connects to every configured RPC URL in order and checks its chain id; on the first good one per chain, checks
 * that each contract the plan calls has code and that each wallet holds what one round of the plan spends (native:
 * value sent plus a fee reserve). An unreachable URL, a wrong chain id, a contract without code or a short balance
 * is a problem. Reads only; nothing is signed.
 */
export async function checkRpc(
  config: BotConfig,
  plan: PlanReport,
  book: AddressBook,
  env: Record<string, string | undefined>,
): Promise<RpcCheckReport> {
  const out: RpcCheckReport = { endpoints: [], code: [], balances: [], notes: [], issues: [] }
  if (config.devnet.embedded) {
    out.notes.push('the embedded devnet starts with the bot: there is no RPC to check')
    return out
  }
  if (config.addressBook)
    out.notes.push(
      `with addressBook: ${config.addressBook}, jobs are resolved only when the bot runs: chain ids are checked, contract code and balances are not`,
    )
  const rb: ReportBook = { book, nativeSymbols: Object.fromEntries(config.chains.map((c) => [c.id, c.nativeSymbol])) }
  const clients = new Map<number, PublicClient>()
  for (const [i, c] of config.chains.entries()) {
    for (const [j, url] of c.rpcUrls.entries()) {
      // One client per URL with no retries: each URL must answer on its own (fallbacks included).
      const client = createChainClient({ chainId: c.id, rpcUrls: [url], name: c.name, retryCount: 0, timeoutMs: 8_000 })
      const shown = redactUrls(url)
      const at = `chains[${i}].rpcUrls[${j}]`
      let answered: number | undefined
      try {
        answered = await client.getChainId()
      } catch (err) {
        const why = redactUrls(mapViemError(err, { chainId: c.id }).message.split('\n')[0] ?? 'no answer')
        out.issues.push({ path: at, message: `${c.name} (chain ${c.id}): RPC ${shown} is unreachable: ${why}` })
      }
      out.endpoints.push({ chainId: c.id, chain: c.name, url: shown, ok: answered === c.id, answered })
      if (answered === undefined) continue
      if (answered !== c.id) {
        out.issues.push({
          path: at,
          message: `${c.name} (chain ${c.id}): RPC ${shown} serves chain ${answered}, not ${c.id}`,
          fix: `point this URL at a chain ${c.id} node, or fix chains[${i}].id`,
        })
      } else if (!clients.has(c.id)) clients.set(c.id, client)
    }
  }
  await checkCode(config, plan, clients, out)
  await checkBalances(config, plan, book, rb, clients, env, out)
  return out
}

async function checkCode(
  config: BotConfig,
  plan: PlanReport,
  clients: Map<number, PublicClient>,
  out: RpcCheckReport,
): Promise<void> {
  const seen = new Set<string>()
  for (const job of plan.jobs) {
    if (!job.enabled) continue
    for (const c of job.contracts) {
      const key = `${c.chainId}:${c.address.toLowerCase()}`
      const client = clients.get(c.chainId)
      if (seen.has(key) || !client) continue
      seen.add(key)
      const code = await client.getCode({ address: c.address })
      const hasCode = code !== undefined && code !== '0x'
      out.code.push({ chainId: c.chainId, name: c.name, address: c.address, hasCode })
      if (!hasCode) {
        const chain = config.chains.find((x) => x.id === c.chainId)
        out.issues.push({
          path: `jobs[${config.jobs.findIndex((j) => j.id === job.id)}].args.params`,
          message: `${c.name} ${c.address} has no code on ${chain?.name ?? 'chain'} (chain ${c.chainId})`,
          fix: `check the RPC's chain, or the book entry of ${c.name} (chains[].book)`,
        })
      }
    }
  }
}

async function checkBalances(
  config: BotConfig,
  plan: PlanReport,
  book: AddressBook,
  rb: ReportBook,
  clients: Map<number, PublicClient>,
  env: Record<string, string | undefined>,
  out: RpcCheckReport,
): Promise<void> {
  const wallets = walletAddresses(config, env)
  out.issues.push(...wallets.issues)
  const { spends, notes } = planSpends(config, plan, book)
  out.notes.push(...notes)
  const groups = new Map<string, Spend[]>()
  for (const s of spends) {
    const k = `${s.wallet}\n${s.chainId}`
    groups.set(k, [...(groups.get(k) ?? []), s])
  }
  for (const [k, list] of groups) {
    const [wallet, id] = k.split('\n') as [string, string]
    const chainId = Number(id)
    const address = wallets.addresses.get(wallet)
    const client = clients.get(chainId)
    const chain = config.chains.find((c) => c.id === chainId)
    if (!address || !client || !chain) continue
    const reserve = await feeReserve(config, chain, client, list)
    const assets = new Map<string, bigint>([['ETH', 0n]])
    for (const s of list) assets.set(s.asset, (assets.get(s.asset) ?? 0n) + s.amount)
    for (const [asset, need] of assets) {
      const native = asset === 'ETH'
      const token = native ? undefined : book[chainId]?.tokens[asset]
      if (!native && !token) continue
      const balance = native
        ? await client.getBalance({ address })
        : await client.readContract({
            address: token!.address,
            abi: erc20Abi,
            functionName: 'balanceOf',
            args: [address],
          })
      const total = native ? need + reserve : need
      const fmt = (v: bigint) => (native ? nativeAmount(rb, chainId, v) : tokenAmount(rb, chainId, token!.address, v))
      const producer = list.find((s) => s.asset === asset)?.producedBy
      const ok = balance >= total
      const check: BalanceCheck = {
        wallet,
        address,
        chainId,
        chain: chain.name,
        asset: native ? chain.nativeSymbol : asset,
        balance: native ? nativeAmount(rb, chainId, balance, true) : fmt(balance),
        needs: fmt(need),
        ...(native ? { gas: nativeAmount(rb, chainId, reserve, true) } : {}),
        ok: ok || producer !== undefined,
        line: '',
      }
      if (!ok && producer) check.note = `short now; job ${producer} produces ${asset} earlier in the plan`
      const gas = native ? ` + ${check.gas!.formatted} gas` : ''
      check.line = `${wallet} on ${chain.name}: ${check.balance.formatted}, needs ≥ ${check.needs.formatted}${gas}: ${
        ok ? 'ok' : producer ? `ok if ${producer} runs first` : 'TOO LOW'
      }`
      out.balances.push(check)
      if (!check.ok)
        out.issues.push({
          path: `wallets[${config.wallets.findIndex((w) => w.name === wallet)}]`,
          message: `${wallet} (${address}) holds ${check.balance.formatted} on ${chain.name} but the plan needs ≥ ${check.needs.formatted}${gas}`,
          fix: `fund ${address} on ${chain.name} (chain ${chainId}), or lower the plan's amounts`,
        })
    }
  }
}

/** The fee reserve of a wallet's planned transactions on a chain: `capital.gasReserve` if set, else an estimate. */
async function feeReserve(
  config: BotConfig,
  chain: BotConfig['chains'][number],
  client: PublicClient,
  spends: Spend[],
): Promise<bigint> {
  const configured = config.capital.gasReserve[String(chain.id)]
  if (configured !== undefined) return configured
  const txs = BigInt(spends.reduce((n, s) => n + s.txs, 0))
  const cap = chain.maxFeePerGas ?? config.risk.maxGasPrice
  let price = cap
  try {
    const fees = await client.estimateFeesPerGas()
    if (fees.maxFeePerGas !== undefined && fees.maxFeePerGas < cap) price = fees.maxFeePerGas
  } catch {
    // no fee estimate from this node: reserve at the configured cap, the most the engine would pay
  }
  return txs * GAS_PER_TX * price
}
