// Pre-send steps of one call: simulate (refuse reverts with the decoded reason) and estimate gas.
import type { Address, Hex } from 'viem'
import type { TokenSpend } from './spend-policy.ts'
import { mapViemError } from './map-viem-error.ts'
import type { RpcSteps } from './rpc-steps.ts'

/** What adapters hand to the engine: one exact call. */
export interface TxCall {
  chainId: number
  to: Address
  data?: Hex
  value?: bigint
  /** Gas limit to use instead of an estimate (still simulated). */
  gas?: bigint
  /** ERC-20 amounts this call spends (e.g. a swap's input), declared by the adapter; approvals must match. */
  tokenSpends?: readonly TokenSpend[]
}

/**
 * Simulates the call with `eth_call` from the wallet and estimates its gas (both reads, retried on transport
 * errors only); a plain value transfer is simulated by `eth_estimateGas` alone, which executes it. A revert throws a non-retryable RevertError with the decoded reason; nothing is signed.
 * The gas limit is the estimate plus `marginPct` for calls with data (state may move before inclusion).
 */
export async function simulateAndEstimate(
  rpc: RpcSteps, from: Address, call: TxCall, marginPct: number, signal?: AbortSignal,
): Promise<bigint> {
  const request = rpc.client.request as (a: { method: string; params: unknown[] }) => Promise<unknown>
  const tx = { from, to: call.to, data: call.data ?? '0x', value: `0x${(call.value ?? 0n).toString(16)}` }
  const guard = <T>(fn: () => Promise<T>) => async () => {
    try {
      return await fn()
    } catch (err) {
      throw mapViemError(err, { chainId: rpc.chainId })
    }
  }
  const estimate = () => rpc.read(guard(async () =>
    BigInt((await request({ method: 'eth_estimateGas', params: [tx, 'latest'] })) as string)), signal)
  const plainTransfer = !call.data || call.data === '0x'
  let gas: bigint
  if (plainTransfer && call.gas === undefined) {
    // eth_estimateGas executes the transfer (a reverting receive() fails it with its reason): one simulation.
    gas = await estimate()
  } else {
    ;[, gas] = await Promise.all([
      rpc.read(guard(() => request({ method: 'eth_call', params: [tx, 'latest'] })), signal),
      call.gas !== undefined ? Promise.resolve(call.gas) : estimate(),
    ])
  }
  if (call.gas !== undefined || !call.data || call.data === '0x') return gas
  return gas + (gas * BigInt(marginPct)) / 100n
}
