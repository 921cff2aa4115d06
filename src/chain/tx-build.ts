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
  rpc: RpcSteps,
  from: Address,
  call: TxCall,
  marginPct: number,
  signal?: AbortSignal,
): Promise<bigint> {
  const request = rpc.client.request as (a: { method: string; params: unknown[] }) => Promise<unknown>
  const tx = { from, to: call.to, data: call.data ?? '0x', value: `0x${(call.value ?? 0n).toString(16)}` }
  const guard =
    <T>(fn: () => Promise<T>) =>
    async () => {
      try {
        return await fn()
      } catch (err) {
        throw mapViemError(err, { chainId: rpc.chainId })
      }
    }
  const estimate = () =>
    rpc.read(
      guard(async () => BigInt((await request({ method: 'eth_estimateGas', params: [tx, 'latest'] })) as string)),
      signal,
    )
  const plainTransfer = !call.data || call.data === '0x'
  let gas: bigint
  if (plainTransfer && call.gas === undefined) {
    gas = await plainTransferGas(rpc, call.to, estimate, request, guard, signal)
  } else {
    ;[, gas] = await Promise.all([
      rpc.read(
        guard(() => request({ method: 'eth_call', params: [tx, 'latest'] })),
        signal,
      ),
      call.gas !== undefined ? Promise.resolve(call.gas) : estimate(),
    ])
  }
  if (call.gas !== undefined || !call.data || call.data === '0x') return gas
  return gas + (gas * BigInt(marginPct)) / 100n
}

/** Per chain: whether a value transfer to an account without code costs exactly the intrinsic 21,000 gas there
 * (true on Ethereum and OP-stack chains; not where the node folds L1 costs into gas, as on Arbitrum). */
const standardTransfer = new WeakMap<RpcSteps, Promise<boolean>>()
const INTRINSIC_GAS = 21_000n
/** Precompiles live at low addresses and run code without having any: those are always estimated. */
const PRECOMPILE_LIMIT = 0x10000n

/**
 * Gas of a plain value transfer. To an address with code (a contract, a 7702-delegated account, a precompile) it
 * is estimated, which executes the transfer and surfaces a reverting receive(). To an address without code
 * nothing can execute or revert, so once the chain has shown (by one estimate) that such a transfer costs the
 * intrinsic 21,000 gas, later ones skip the estimate: a cheap eth_getCode replaces an EVM execution.
 */
async function plainTransferGas(
  rpc: RpcSteps,
  to: Address,
  estimate: () => Promise<bigint>,
  request: (a: { method: string; params: unknown[] }) => Promise<unknown>,
  guard: <T>(fn: () => Promise<T>) => () => Promise<T>,
  signal?: AbortSignal,
): Promise<bigint> {
  if (BigInt(to) < PRECOMPILE_LIMIT) return estimate()
  const code = await rpc.read(
    guard(async () => (await request({ method: 'eth_getCode', params: [to, 'latest'] })) as Hex),
    signal,
  )
  if (code !== '0x') return estimate()
  let learned = standardTransfer.get(rpc)
  if (!learned) {
    const first = estimate()
    learned = first.then((g) => g === INTRINSIC_GAS)
    // A failed first estimate teaches nothing: the next transfer tries again.
    learned.catch(() => standardTransfer.delete(rpc))
    standardTransfer.set(rpc, learned)
    return first
  }
  return (await learned.catch(() => false)) ? INTRINSIC_GAS : estimate()
}
