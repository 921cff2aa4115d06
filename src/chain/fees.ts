// EIP-1559 fee estimation from eth_feeHistory, the fee cap, and exact-bigint replacement bumps (>= old x 1.125).
import type { FeeHistory, PublicClient } from 'viem'
import { FeeError } from './errors.ts'
import { mapViemError } from './map-viem-error.ts'

/** The two EIP-1559 fee fields of a transaction, in wei per gas. */
export interface Eip1559Fees {
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
}

/** Fees plus the base fee of the next (pending) block they were computed from. */
export interface FeeEstimate extends Eip1559Fees {
  baseFeePerGas: bigint
}

/** Tuning of the estimate; defaults suit L1-like chains and anvil. */
export interface FeeEstimateOptions {
  /** Blocks of history to read (default 10). */
  blocks?: number
  /** Reward percentile used for the priority fee (default 50). */
  percentile?: number
  /** maxFeePerGas = nextBaseFee x this + tip (default 2: survives ~6 full blocks of +12.5%). */
  baseFeeMultiplier?: number
  /** Tip used when the history has no non-empty block (default 1 gwei; set lower on L2s). */
  fallbackPriorityFee?: bigint
  /** Lower and upper bounds for the tip. */
  minPriorityFee?: bigint
  maxPriorityFee?: bigint
  /** The chain's max fee per gas cap; when set the result is capped (see `applyFeeCap`). */
  maxFeePerGasCap?: bigint
}

const GWEI = 1_000_000_000n
/** The replacement factor the bot uses; geth requires 1.10, so 1.125 leaves margin (and matches base-fee steps). */
export const DEFAULT_BUMP_FACTOR = 1.125

/**
 * Pure part of the estimate: next base fee is the last `baseFeePerGas` entry of the history; the tip is the
 * median of the chosen reward percentile over non-empty blocks (empty blocks report a zero reward).
 */
export function feesFromHistory(history: FeeHistory, options: FeeEstimateOptions = {}): FeeEstimate {
  const baseFeePerGas = history.baseFeePerGas[history.baseFeePerGas.length - 1]
  if (baseFeePerGas === undefined) {
    throw new FeeError('FEE_INVALID', 'eth_feeHistory returned no base fee; the chain may not support EIP-1559', {
      retryable: false,
      hint: 'use a chain/RPC with London (EIP-1559) fee history',
    })
  }
  const rewards: bigint[] = []
  history.reward?.forEach((r, i) => {
    const ratio = history.gasUsedRatio[i] ?? 0
    if (ratio > 0 && r[0] !== undefined) rewards.push(r[0])
  })
  let tip = rewards.length > 0 ? median(rewards) : (options.fallbackPriorityFee ?? GWEI)
  if (options.minPriorityFee !== undefined && tip < options.minPriorityFee) tip = options.minPriorityFee
  if (options.maxPriorityFee !== undefined && tip > options.maxPriorityFee) tip = options.maxPriorityFee
  const fees: FeeEstimate = {
    baseFeePerGas,
    maxPriorityFeePerGas: tip,
    maxFeePerGas: mulCeil(baseFeePerGas, options.baseFeeMultiplier ?? 2) + tip,
  }
  return options.maxFeePerGasCap === undefined ? fees : applyFeeCap(fees, options.maxFeePerGasCap)
}

/**
 * Reads `eth_feeHistory` (uncached) and returns EIP-1559 fees for the next block. Throws a retryable
 * FEE_ABOVE_CAP while the next base fee is above the cap (a gas spike: wait, send nothing).
 */
export async function estimateFees(client: PublicClient, options: FeeEstimateOptions = {}): Promise<FeeEstimate> {
  let history: FeeHistory
  try {
    history = await client.getFeeHistory({
      blockCount: options.blocks ?? 10,
      blockTag: 'latest',
      rewardPercentiles: [options.percentile ?? 50],
    })
  } catch (err) {
    throw mapViemError(err, { chainId: client.chain?.id })
  }
  return feesFromHistory(history, options)
}

/**
 * Fits fees under `cap`: maxFeePerGas is lowered to the cap and the tip to what the cap leaves above the base
 * fee. When the base fee alone exceeds the cap nothing can be sent: throws FEE_ABOVE_CAP (retryable: the
 * spike may pass).
 */
export function applyFeeCap(fees: FeeEstimate, cap: bigint): FeeEstimate {
  if (fees.baseFeePerGas > cap) {
    throw new FeeError(
      'FEE_ABOVE_CAP',
      `next base fee ${fees.baseFeePerGas} wei exceeds the max fee per gas cap ${cap} wei`,
      {
        retryable: true,
        hint: 'wait for the gas spike to pass or raise maxFeePerGas in the chain config',
        details: { baseFeePerGas: fees.baseFeePerGas.toString(), cap: cap.toString() },
      },
    )
  }
  const maxFeePerGas = fees.maxFeePerGas > cap ? cap : fees.maxFeePerGas
  const room = maxFeePerGas - fees.baseFeePerGas
  const maxPriorityFeePerGas = fees.maxPriorityFeePerGas > room ? room : fees.maxPriorityFeePerGas
  return { baseFeePerGas: fees.baseFeePerGas, maxFeePerGas, maxPriorityFeePerGas }
}

/**
 * Fees for a same-nonce replacement: BOTH fields raised to at least ceil(old x factor) (exact bigint
 * arithmetic) and at least old + 1 wei. Throws FEE_BUMP_ABOVE_CAP (not retryable) when the new
 * maxFeePerGas would exceed `cap`: the engine then stops bumping instead of sending an underpriced replacement.
 */
export function bumpFees(old: Eip1559Fees, factor: number = DEFAULT_BUMP_FACTOR, cap?: bigint): Eip1559Fees {
  if (!(factor >= 1.1)) {
    throw new FeeError('FEE_INVALID', `bump factor ${factor} is below 1.1, which nodes reject as underpriced`, {
      retryable: false,
      hint: 'use a factor of at least 1.1 (default 1.125)',
    })
  }
  if (old.maxFeePerGas < 0n || old.maxPriorityFeePerGas < 0n || old.maxPriorityFeePerGas > old.maxFeePerGas) {
    throw new FeeError('FEE_INVALID', 'old fees are invalid (negative, or tip above fee cap)', { retryable: false })
  }
  const bump = (v: bigint) => {
    const b = mulCeil(v, factor)
    return b > v ? b : v + 1n
  }
  let maxFeePerGas = bump(old.maxFeePerGas)
  const maxPriorityFeePerGas = bump(old.maxPriorityFeePerGas)
  if (maxPriorityFeePerGas > maxFeePerGas) maxFeePerGas = maxPriorityFeePerGas
  if (cap !== undefined && maxFeePerGas > cap) {
    throw new FeeError(
      'FEE_BUMP_ABOVE_CAP',
      `bumped maxFeePerGas ${maxFeePerGas} wei would exceed the cap ${cap} wei`,
      {
        retryable: false,
        hint: 'stop bumping: wait for inclusion or cancel at the same nonce once fees allow',
        details: { maxFeePerGas: maxFeePerGas.toString(), cap: cap.toString() },
      },
    )
  }
  return { maxFeePerGas, maxPriorityFeePerGas }
}

/** ceil(value x factor) with the factor taken as its exact decimal fraction (1.125 = 1125/1000). */
export function mulCeil(value: bigint, factor: number): bigint {
  const { num, den } = decimalRatio(factor)
  return (value * num + den - 1n) / den
}

/** A finite non-negative decimal number as an exact fraction num/den (den a power of ten). */
export function decimalRatio(x: number): { num: bigint; den: bigint } {
  if (!Number.isFinite(x) || x < 0)
    throw new FeeError('FEE_INVALID', `fee factor ${x} is not a finite non-negative number`)
  const s = x.toString()
  if (/e/i.test(s)) throw new FeeError('FEE_INVALID', `fee factor ${x} needs at most 15 plain decimal digits`)
  const [int, frac = ''] = s.split('.')
  return { num: BigInt(`${int}${frac}`), den: 10n ** BigInt(frac.length) }
}

function median(xs: bigint[]): bigint {
  const s = [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2n
}
