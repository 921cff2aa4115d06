// The engine's use of fees.ts: capped estimates read with retries, and same-nonce bumps that stay under the cap.
import type { FeeHistory } from 'viem'
import { bumpFees, DEFAULT_BUMP_FACTOR, feesFromHistory, type Eip1559Fees } from './fees.ts'
import { FeeError } from './errors.ts'
import type { RpcSteps } from './rpc-steps.ts'

/** Both EIP-1559 fee fields of one transaction. */
export type TxFees = Eip1559Fees

/** The chain's fee limits. */
export interface FeeLimits {
  /** Hard cap on maxFeePerGas: nothing is signed above it. */
  maxFeePerGas: bigint
  /** Cap on the tip. */
  maxPriorityFeePerGas?: bigint
  /** Lowest tip offered. */
  minPriorityFeePerGas?: bigint
}

/**
 * Reads `eth_feeHistory` (retried on transport errors) and returns fees under the cap. Throws a retryable
 * FeeError (FEE_ABOVE_CAP) while the next base fee is above the cap: nothing is sent, the scheduler delays.
 */
export async function estimateCappedFees(rpc: RpcSteps, limits: FeeLimits, signal?: AbortSignal): Promise<TxFees> {
  const history = (await rpc.read(
    () => rpc.client.getFeeHistory({ blockCount: 5, blockTag: 'latest', rewardPercentiles: [50] }),
    signal,
  )) as FeeHistory
  const est = feesFromHistory(history, {
    maxFeePerGasCap: limits.maxFeePerGas,
    minPriorityFee: limits.minPriorityFeePerGas,
    maxPriorityFee: limits.maxPriorityFeePerGas,
  })
  return { maxFeePerGas: est.maxFeePerGas, maxPriorityFeePerGas: est.maxPriorityFeePerGas }
}

/**
 * Fees for a same-nonce replacement: both fields at least old x 1.125 (fees.ts `bumpFees`), raised to the
 * current estimate when that is higher, never above the cap. Undefined when the bump would pass the cap.
 */
export function bumpedFees(old: TxFees, current: TxFees | undefined, limits: FeeLimits): TxFees | undefined {
  let bumped: TxFees
  try {
    bumped = bumpFees(old, DEFAULT_BUMP_FACTOR, limits.maxFeePerGas)
  } catch (err) {
    if (err instanceof FeeError) return undefined
    throw err
  }
  let { maxFeePerGas, maxPriorityFeePerGas } = bumped
  if (current && current.maxFeePerGas > maxFeePerGas) maxFeePerGas = current.maxFeePerGas
  if (current && current.maxPriorityFeePerGas > maxPriorityFeePerGas && current.maxPriorityFeePerGas <= maxFeePerGas) {
    maxPriorityFeePerGas = current.maxPriorityFeePerGas
  }
  if (maxFeePerGas > limits.maxFeePerGas) maxFeePerGas = limits.maxFeePerGas
  if (limits.maxPriorityFeePerGas !== undefined && maxPriorityFeePerGas > limits.maxPriorityFeePerGas) return undefined
  return { maxFeePerGas, maxPriorityFeePerGas }
}
