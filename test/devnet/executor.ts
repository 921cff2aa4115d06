// Pluggable call executor for tests: a plain viem wallet client now; the lead swaps in the tx engine at merge.
import { createWalletClient, http, type Hex, type TransactionReceipt } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Devnet, DevnetChain } from '../../scripts/devnet.ts'
import type { Call } from '../../protocols/types.ts'

/** Sends calls in order and returns their receipts; throws on the first revert (later calls are not sent). */
export interface CallExecutor {
  executeCalls(calls: readonly Call[]): Promise<TransactionReceipt[]>
}

/** Executes calls with a viem wallet client for `privateKey`, one at a time, each confirmed by receipt. */
export function createWalletExecutor(devnet: Devnet, privateKey: Hex): CallExecutor {
  const account = privateKeyToAccount(privateKey)
  const chains = new Map<number, DevnetChain>([[devnet.l1.chainId, devnet.l1], [devnet.l2.chainId, devnet.l2]])
  return {
    async executeCalls(calls) {
      const receipts: TransactionReceipt[] = []
      for (const call of calls) {
        const c = chains.get(call.chainId)
        if (!c) throw new Error(`executor has no chain ${call.chainId}`)
        const wallet = createWalletClient({ account, chain: c.chain, transport: http(c.rpcUrl) })
        const hash = await wallet.sendTransaction({ to: call.to, data: call.data, value: call.value })
        const receipt = await c.client.waitForTransactionReceipt({ hash, pollingInterval: 20, timeout: 30_000 })
        if (receipt.status !== 'success') throw new Error(`call "${call.label}" reverted in ${hash}`)
        receipts.push(receipt)
      }
      return receipts
    },
  }
}

/** Wei spent on gas by these receipts (to correct native balance deltas). */
export function gasCost(receipts: readonly TransactionReceipt[]): bigint {
  return receipts.reduce((sum, r) => sum + r.gasUsed * r.effectiveGasPrice, 0n)
}
