// What one round of a checked plan spends per wallet, chain and asset, and which jobs produce an asset for later ones.
import { tokenAt } from '../../protocols/address-book/index.ts'
import { createDefaultRegistry } from '../../protocols/index.ts'
import type { AddressBook } from '../../protocols/types.ts'
import type { BotConfig } from '../config/schema.ts'
import type { PlanReport } from './plan-check.ts'

/** One job's spend of one asset ('ETH' for the native coin, else the book's token symbol) on one chain. */
export interface Spend {
  job: string
  wallet: string
  chainId: number
  asset: string
  /** Exact base units (0 for a job that only pays gas). */
  amount: bigint
  /** Transactions the job sends on that chain (its call targets, at least one). */
  txs: number
  /** An enabled job of the plan that leaves this asset in the wallet (a wrap before a swap). */
  producedBy?: string
}

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}

/** Assets a job leaves in its wallet, by chain: what a later job of the plan may spend. */
function produces(adapter: string, p: Record<string, unknown>): Array<{ chainId: number; asset: string }> {
  const chainId = Number(p.chainId)
  switch (adapter) {
    case 'weth':
      return [{ chainId, asset: p.action === 'unwrap' ? 'ETH' : 'WETH' }]
    case 'uniswap-v2':
    case 'uniswap-v3':
      return [{ chainId, asset: String(p.tokenOut) }]
    case 'aave-v3':
      return p.action === 'withdraw' || p.action === 'borrow' ? [{ chainId, asset: String(p.asset) }] : []
    case 'op-bridge':
    case 'across':
      return [{ chainId: Number(p.toChainId), asset: String(p.token) }]
    default:
      return []
  }
}

/** Whether the amount field is spent from the wallet (withdrawals and borrows bring assets in instead). */
function spendsAmount(adapter: string, p: Record<string, unknown>): boolean {
  if (adapter === 'aave-v3') return p.action === 'supply' || p.action === 'repay'
  if (adapter === 'erc4626') return p.action === 'deposit'
  return true
}

/**
 * The spends of every enabled protocol_call job the plan check could resolve, from the exact base units it computed.
 * Amounts it cannot price without a chain read (a vault's asset, "max") are left out and said so in `notes`.
 */
export function planSpends(
  config: BotConfig,
  plan: PlanReport,
  book: AddressBook,
): { spends: Spend[]; notes: string[] } {
  const registry = createDefaultRegistry()
  const spends: Spend[] = []
  const notes: string[] = []
  const made = new Map<string, string>()
  for (const job of plan.jobs) {
    if (!job.enabled || !job.adapter || !job.wallet || !job.params || !registry.has(job.adapter)) continue
    const raw = record(record(config.jobs.find((j) => j.id === job.id)?.args).params)
    for (const m of produces(job.adapter, raw)) made.set(`${job.wallet}\n${m.chainId}\n${m.asset}`, job.id)
    const adapter = registry.get(job.adapter)
    const txs = Math.max(1, job.contracts.length)
    let counted = false
    for (const [field, denominate] of Object.entries(adapter.amounts ?? {})) {
      const d = denominate(raw, book)
      const base = /^(\d+) wei$/.exec(String(job.params[field] ?? ''))
      if (!d) continue
      const asset =
        'token' in d
          ? job.adapter === 'weth' && raw.action === 'unwrap'
            ? 'WETH'
            : d.token
          : 'address' in d
            ? tokenAt(book, d.chainId, d.address)?.symbol
            : undefined
      if (!base || !asset) {
        notes.push(`job ${job.id}: ${field} needs a chain read to price; its balance is not checked`)
        continue
      }
      const amount = spendsAmount(job.adapter, raw) ? BigInt(base[1]!) : 0n
      spends.push({ job: job.id, wallet: job.wallet, chainId: d.chainId, asset, amount, txs: counted ? 0 : txs })
      counted = true
    }
    const chainId = job.contracts[0]?.chainId
    if (!counted && chainId !== undefined)
      spends.push({ job: job.id, wallet: job.wallet, chainId, asset: 'ETH', amount: 0n, txs })
  }
  for (const s of spends) {
    const by = made.get(`${s.wallet}\n${s.chainId}\n${s.asset}`)
    if (by && by !== s.job) s.producedBy = by
  }
  return { spends, notes }
}
