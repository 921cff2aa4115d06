// Capital allocator: risk-adjusted weights, per-protocol caps and per-chain gas reserves, in exact bigint amounts.
import { z } from 'zod'
import { ValidationError } from '../errors/validation-error.ts'

/**
 * One protocol the allocator may fund. All protocols of one call hold the same underlying (e.g. ETH/WETH, or
 * USDC), possibly with different decimals per chain; `minAmount`/`maxAmount` are in capital units.
 * `expectedValueBps` and `riskBps` come from configuration (expected yearly value, e.g. yield plus airdrop
 * estimate, and a loss/volatility estimate); the risk-adjusted score is expectedValue / risk.
 */
export const protocolSpecSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/, 'lowercase letters, digits and _ (it names the task allocate_<id>)'),
  chainId: z.number().int().positive(),
  asset: z.object({ symbol: z.string().min(1), decimals: z.number().int().min(0).max(36) }),
  expectedValueBps: z.number().finite(),
  riskBps: z.number().finite().positive(),
  minAmount: z.bigint().nonnegative().optional(),
  maxAmount: z.bigint().nonnegative().optional(),
  /** Largest share of the investable capital, in basis points. */
  maxShareBps: z.number().int().min(0).max(10_000).optional(),
  enabled: z.boolean().default(true),
})

/** A validated protocol entry. */
export type ProtocolSpec = z.infer<typeof protocolSpecSchema>
/** Raw protocol entry (before defaults). */
export type ProtocolSpecInput = z.input<typeof protocolSpecSchema>

/** Capital to place: an integer amount in the smallest unit of an asset with `decimals`. */
export interface Capital {
  amount: bigint
  decimals: number
}

/** Options of the allocator. */
export interface AllocationOptions {
  /** Capital units kept back per chain (for gas) whenever a protocol on that chain is funded or eligible. */
  gasReserve?: Record<number, bigint>
}

/** One funded protocol. `amount` is in the asset's own units; `value` is the same amount in capital units. */
export interface Allocation {
  protocol: string
  chainId: number
  amount: bigint
  value: bigint
  /** Target weight in basis points before caps. */
  weightBps: number
  /** 1 = most attractive (highest risk-adjusted score). */
  priority: number
}

/** The full plan: allocations plus what was kept back and what could not be placed. */
export interface PortfolioPlan {
  allocations: Allocation[]
  reserved: Record<number, bigint>
  unallocated: bigint
}

/** Validates protocol entries (ValidationError lists each bad field). */
export function parseProtocols(raw: readonly ProtocolSpecInput[]): ProtocolSpec[] {
  const parsed = z.array(protocolSpecSchema).safeParse(raw)
  if (!parsed.success) throw ValidationError.fromZod('protocol list', parsed.error)
  const ids = new Set<string>()
  for (const p of parsed.data) {
    if (ids.has(p.id)) throw new ValidationError('protocol list', [{ path: p.id, message: 'duplicate protocol id' }])
    ids.add(p.id)
    if (p.minAmount !== undefined && p.maxAmount !== undefined && p.minAmount > p.maxAmount) {
      throw new ValidationError('protocol list', [
        { path: `${p.id}.minAmount`, message: 'minAmount exceeds maxAmount' },
      ])
    }
  }
  return parsed.data
}

/**
 * Integer basis points proportional to `scores` (non-negative), summing to exactly 10 000 when any score is
 * positive (largest-remainder rounding, ties by index); the only place floats touch the computation.
 */
export function scoresToBps(scores: readonly number[]): number[] {
  const total = scores.reduce((a, b) => a + b, 0)
  if (!(total > 0)) return scores.map(() => 0)
  const raw = scores.map((s) => (s / total) * 10_000)
  const bps = raw.map(Math.floor)
  let left = 10_000 - bps.reduce((a, b) => a + b, 0)
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i)
  for (const { i } of order) {
    if (left <= 0) break
    if (scores[i]! > 0) {
      bps[i]!++
      left--
    }
  }
  return bps
}

/** Converts capital units to asset units, rounding down (never creates value). */
export function toAssetUnits(value: bigint, capitalDecimals: number, assetDecimals: number): bigint {
  return assetDecimals >= capitalDecimals
    ? value * 10n ** BigInt(assetDecimals - capitalDecimals)
    : value / 10n ** BigInt(capitalDecimals - assetDecimals)
}

/** Converts asset units to capital units, rounding down. */
export function toCapitalUnits(amount: bigint, capitalDecimals: number, assetDecimals: number): bigint {
  return toAssetUnits(amount, assetDecimals, capitalDecimals)
}

/**
 * Plans allocations: gas reserves are kept back first, the rest is split by risk-adjusted weight; a protocol
 * over its cap is pinned at the cap and the excess is re-split among the others; a protocol that would get less
 * than its `minAmount` is dropped (lowest score first) and its share re-split. Amounts are floored to each
 * asset's decimals, so the sum never exceeds the capital.
 */
export function planPortfolio(
  rawProtocols: readonly ProtocolSpecInput[],
  totalCapital: Capital,
  options: AllocationOptions = {},
): PortfolioPlan {
  if (totalCapital.amount < 0n)
    throw new ValidationError('capital', [{ path: 'amount', message: 'must not be negative' }])
  const protocols = parseProtocols(rawProtocols)
    .filter((p) => p.enabled && p.expectedValueBps > 0)
    .map((p) => ({ p, score: p.expectedValueBps / p.riskBps }))
    .sort((a, b) => b.score - a.score || (a.p.id < b.p.id ? -1 : 1))
  const reserved: Record<number, bigint> = {}
  let investable = totalCapital.amount
  for (const { p } of protocols) {
    if (reserved[p.chainId] !== undefined) continue
    const want = options.gasReserve?.[p.chainId] ?? 0n
    if (want < 0n)
      throw new ValidationError('gas reserve', [{ path: String(p.chainId), message: 'must not be negative' }])
    const keep = want < investable ? want : investable
    reserved[p.chainId] = keep
    investable -= keep
  }
  const bps = scoresToBps(protocols.map((x) => x.score))
  const cap = (p: ProtocolSpec): bigint => {
    let c = p.maxAmount ?? investable
    if (p.maxShareBps !== undefined) {
      const share = (investable * BigInt(p.maxShareBps)) / 10_000n
      if (share < c) c = share
    }
    return c < investable ? c : investable
  }
  const value = new Map<number, bigint>() // index -> capital units, for pinned or final entries
  const active = new Set(protocols.map((_, i) => i).filter((i) => bps[i]! > 0))
  for (;;) {
    let pinned = 0n
    for (const v of value.values()) pinned += v
    const remaining = investable - pinned
    const bpsSum = BigInt([...active].reduce((a, i) => a + bps[i]!, 0))
    if (active.size === 0 || bpsSum === 0n) break
    const tentative = new Map([...active].map((i) => [i, (remaining * BigInt(bps[i]!)) / bpsSum] as const))
    const over = [...active].filter((i) => tentative.get(i)! > cap(protocols[i]!.p))
    if (over.length > 0) {
      for (const i of over) {
        value.set(i, cap(protocols[i]!.p))
        active.delete(i)
      }
      continue
    }
    const under = [...active].filter((i) => tentative.get(i)! < (protocols[i]!.p.minAmount ?? 0n))
    if (under.length > 0) {
      active.delete(under[under.length - 1]!) // the lowest score goes first; the others may now reach their minimum
      continue
    }
    for (const [i, v] of tentative) value.set(i, v)
    break
  }
  const allocations: Allocation[] = []
  let placed = 0n
  for (const [i, v] of [...value].sort((a, b) => a[0] - b[0])) {
    const { p } = protocols[i]!
    const amount = toAssetUnits(v, totalCapital.decimals, p.asset.decimals)
    const rounded = toCapitalUnits(amount, totalCapital.decimals, p.asset.decimals)
    if (amount <= 0n || rounded < (p.minAmount ?? 0n)) continue
    placed += rounded
    allocations.push({
      protocol: p.id,
      chainId: p.chainId,
      amount,
      value: rounded,
      weightBps: bps[i]!,
      priority: allocations.length + 1,
    })
  }
  return { allocations, reserved, unallocated: investable - placed }
}

/**
 * The allocator's entry point: `{protocol, amount, priority}` per funded protocol (see `planPortfolio` for
 * the reserves and the unplaced remainder).
 */
export function optimizePortfolio(
  protocols: readonly ProtocolSpecInput[],
  totalCapital: Capital,
  options: AllocationOptions = {},
): Allocation[] {
  return planPortfolio(protocols, totalCapital, options).allocations
}
