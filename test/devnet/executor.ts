// Pluggable call executors for tests: the bot's transaction engine (journal, lanes, confirm) or a plain viem wallet.
import { createWalletClient, http, type Hex, type TransactionReceipt } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import pino from 'pino'
import { createChainClient } from '../../src/chain/clients.ts'
import { createTxEngine } from '../../src/chain/tx-engine.ts'
import { decodeApproval } from '../../src/chain/spend-policy.ts'
import { createSpendPolicyGuard } from '../../src/chain/tx-policy.ts'
import { devnetPolicy } from '../../src/bot/environment.ts'
import { openDatabase } from '../../src/store/database.ts'
import type { Devnet, DevnetChain } from '../../src/devnet/devnet.ts'
import type { Call } from '../../protocols/types.ts'

/** Sends calls in order and returns their receipts; throws on the first revert (later calls are not sent). */
export interface CallExecutor {
  executeCalls(calls: readonly Call[]): Promise<TransactionReceipt[]>
}

/**
 * Gas limit over an `eth_estimateGas` figure: 20 % more, as the engine's default `gasMarginPct`. The estimate
 * is exact for the pending block, but the block that mines the call can be a second later: Aave V3 then
 * accrues interest in its reserve reads (skipped when the block's second equals the reserve's last update),
 * and a borrow sent with its bare estimate runs out of gas.
 */
export const withGasHeadroom = (estimate: bigint): bigint => estimate + estimate / 5n

/** Executes calls with a viem wallet client for `privateKey`, one at a time, each confirmed by receipt. */
export function createWalletExecutor(devnet: Devnet, privateKey: Hex): CallExecutor {
  const account = privateKeyToAccount(privateKey)
  const chains = new Map<number, DevnetChain>([
    [devnet.l1.chainId, devnet.l1],
    [devnet.l2.chainId, devnet.l2],
  ])
  return {
    async executeCalls(calls) {
      const receipts: TransactionReceipt[] = []
      for (const call of calls) {
        const c = chains.get(call.chainId)
        if (!c) throw new Error(`executor has no chain ${call.chainId}`)
        const wallet = createWalletClient({ account, chain: c.chain, transport: http(c.rpcUrl) })
        const tx = { to: call.to, data: call.data, value: call.value }
        const gas = withGasHeadroom(await c.client.estimateGas({ account, ...tx }))
        const hash = await wallet.sendTransaction({ ...tx, gas })
        const receipt = await c.client.waitForTransactionReceipt({ hash, pollingInterval: 20, timeout: 30_000 })
        if (receipt.status !== 'success') throw new Error(`call "${call.label}" reverted in ${hash}`)
        receipts.push(receipt)
      }
      return receipts
    },
  }
}

/**
 * Executes calls through the real transaction engine (simulate, journal, nonce lane, send, confirm) over a
 * fresh SQLite journal; each batch is one run, each call one (run, callIndex) intent. Returns full receipts.
 */
export function createEngineExecutor(devnet: Devnet, privateKey: Hex, dbPath = ':memory:'): CallExecutor {
  const account = privateKeyToAccount(privateKey)
  const chains = [devnet.l1, devnet.l2].map((c) => ({
    chainId: c.chainId,
    client: createChainClient({ chainId: c.chainId, rpcUrls: [c.rpcUrl], pollingIntervalMs: 20 }),
  }))
  // The devnet's caps and allowlist (every devnet contract and token), as the embedded bot uses them.
  const policy = createSpendPolicyGuard(
    chains.map((c) =>
      devnetPolicy(
        c.chainId,
        devnet.book,
        devnet.accounts.map((x) => x.address),
      ),
    ),
  )
  const engine = createTxEngine({
    db: openDatabase({ path: dbPath }),
    logger: pino({ level: 'silent' }),
    signers: [account],
    policy,
    chains: chains.map((c) => ({ ...c, fees: { maxFeePerGas: 200_000_000_000n }, pollMs: 20, gasMarginPct: 50 })),
  })
  let runs = 0
  return {
    async executeCalls(calls) {
      const runId = `conformance-${++runs}`
      const receipts: TransactionReceipt[] = []
      for (const [i, call] of calls.entries()) {
        const approval = decodeApproval(call.data)
        const tokenSpends = approval && approval.amount > 0n ? [{ token: call.to, amount: approval.amount }] : undefined
        const sent = await engine.send(
          { chainId: call.chainId, to: call.to, data: call.data, value: call.value, tokenSpends },
          { runId, wallet: account.address, callIndex: i },
        )
        const client = chains.find((c) => c.chainId === call.chainId)!.client
        receipts.push(await client.getTransactionReceipt({ hash: sent.hash }))
      }
      return receipts
    },
  }
}

/** Wei spent on gas by these receipts (to correct native balance deltas). */
export function gasCost(receipts: readonly TransactionReceipt[]): bigint {
  return receipts.reduce((sum, r) => sum + r.gasUsed * r.effectiveGasPrice, 0n)
}
