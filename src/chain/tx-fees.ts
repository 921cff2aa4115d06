// EIP-1559 fee estimates for the engine, held under the chain's cap, and the x1.125 same-nonce bump rule.
import { FeeError } from './errors.ts'
import type { RpcSteps } from './rpc-steps.ts'

/** Both EIP-1559 fee fields of one transaction. */
export interface TxFees {
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
}

/** The chain's fee limits. */
export interface FeeLimits {
  /** Hard cap on maxFeePerGas: nothing is signed above it. */
  maxFeePerGas: bigint
  /** Cap on the tip (defaults to the fee cap). */
  maxPriorityFeePerGas?: bigint
  /** Lowest tip offered (anvil's blocks often report zero rewards). */
  minPriorityFeePerGas?: bigint
}

/** Replacement rule: both fields at least old x 1.125 (geth requires 1.10; anvil enforces nothing). */
export const BUMP_NUMERATOR = 1125n
export const BUMP_DENOMINATOR = 1000n

const ceilBump = (v: bigint): bigint => (v * BUMP_NUMERATOR + BUMP_DENOMINATOR - 1n) / BUMP_DENOMINATOR

/**
 * Reads `eth_feeHistory` (next block's base fee, median tip of recent blocks) and returns fees with
 * maxFee = min(2 x base + tip, cap). Throws a retryable FeeError (FEE_ABOVE_CAP) when base + tip is above
 * the cap: nothing may be sent while it lasts, and the scheduler delays the job.
 */
export async function estimateCappedFees(rpc: RpcSteps, limits: FeeLimits, signal?: AbortSignal): Promise<TxFees> {
  const history = await rpc.read(async () => (await (rpc.client.request as (a: unknown) => Promise<unknown>)({
    method: 'eth_feeHistory', params: ['0x5', 'latest', [50]],
  })) as { baseFeePerGas: string[]; reward?: string[][] }, signal)
  const bases = history.baseFeePerGas
  const nextBase = BigInt(bases[bases.length - 1] ?? '0x0')
  const rewards = (history.reward ?? []).map((r) => BigInt(r[0] ?? '0x0')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const median = rewards.length > 0 ? rewards[Math.floor(rewards.length / 2)]! : 0n
  const minTip = limits.minPriorityFeePerGas ?? 1_000_000n
  const tipCap = limits.maxPriorityFeePerGas ?? limits.maxFeePerGas
  let tip = median > minTip ? median : minTip
  if (tip > tipCap) tip = tipCap
  const needed = nextBase + tip
  if (needed > limits.maxFeePerGas) {
    throw new FeeError('FEE_ABOVE_CAP',
      `gas on chain ${rpc.chainId} needs ${needed} wei/gas, above the cap of ${limits.maxFeePerGas}`, {
        retryable: true, chainId: rpc.chainId,
        hint: 'nothing was sent; the job is retried once gas falls (or raise maxFeePerGas in the chain config)',
        details: { needed: needed.toString(), cap: limits.maxFeePerGas.toString() },
      })
  }
  const wanted = 2n * nextBase + tip
  return { maxFeePerGas: wanted < limits.maxFeePerGas ? wanted : limits.maxFeePerGas, maxPriorityFeePerGas: tip }
}

/**
 * Fees for a same-nonce replacement: each field max(old x 1.125 rounded up, current estimate), the tip never
 * above the fee. Returns undefined when the bump would exceed the cap (the caller waits instead).
 */
export function bumpedFees(old: TxFees, current: TxFees | undefined, limits: FeeLimits): TxFees | undefined {
  let maxFee = ceilBump(old.maxFeePerGas)
  let tip = ceilBump(old.maxPriorityFeePerGas)
  if (current && current.maxFeePerGas > maxFee) maxFee = current.maxFeePerGas
  if (current && current.maxPriorityFeePerGas > tip) tip = current.maxPriorityFeePerGas
  if (maxFee > limits.maxFeePerGas) return undefined
  // Clamping keeps the rule: maxFee >= old maxFee x 1.125 >= old tip x 1.125.
  if (tip > maxFee) tip = maxFee
  if (limits.maxPriorityFeePerGas !== undefined && tip > limits.maxPriorityFeePerGas) return undefined
  return { maxFeePerGas: maxFee, maxPriorityFeePerGas: tip }
}
