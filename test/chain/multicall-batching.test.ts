// Read batching on the devnet: 50 swap jobs quoting in the same tick cost a handful of RPC requests through the
// Multicall contract instead of one per read, with identical results; the bot's tick reports its RPC calls.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { uniswapV2Adapter } from '../../protocols/uniswap-v2/index.ts'
import type { ReadContext } from '../../protocols/types.ts'
import { createChainClient } from '../../src/chain/clients.ts'
import { createRpcCounter } from '../../src/chain/rpc-counter.ts'

const JOBS = 50
const dir = mkdtempSync(join(tmpdir(), 'bot-multicall-'))
let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: join(dir, 'addresses.json'), relayer: false })
}, 120_000)
afterAll(async () => {
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** One tick of `JOBS` swap jobs building their calls at once through a client with or without batching. */
async function tick(multicall: Address | undefined) {
  const counter = createRpcCounter()
  const client = createChainClient({
    chainId: devnet.l1.chainId,
    rpcUrls: [devnet.l1.rpcUrl],
    multicall,
    onRequest: counter.hook(devnet.l1.chainId),
  })
  const wallet = devnet.accounts[0]!.address
  const ctx: ReadContext = {
    client: () => client,
    wallet,
    ownWallets: [wallet],
    book: devnet.book,
    clock: { now: () => 1_900_000_000_000, sleep: async () => {} },
  }
  const calls = await Promise.all(
    Array.from({ length: JOBS }, (_, i) =>
      uniswapV2Adapter.buildCalls(
        ctx,
        uniswapV2Adapter.params.parse({
          // Half token->token (getPair, quote, balanceOf, allowance), half ETH->token (quote, native balance).
          chainId: devnet.l1.chainId,
          slippageBps: 50,
          ...(i % 2
            ? { tokenIn: 'USDC', tokenOut: 'DAI', amountIn: `${1_000_000 + i} wei` }
            : { tokenIn: 'ETH', tokenOut: 'USDC', amountIn: `${10n ** 15n + BigInt(i)} wei` }),
        }),
      ),
    ),
  )
  return { calls, requests: counter.totals()[devnet.l1.chainId] ?? 0, methods: counter.byMethod() }
}

describe('multicall batching', () => {
  it('cuts the RPC requests of a 50-job tick (token and native balances, quotes, allowances) and returns the same calls', async () => {
    const multicall = devnet.addresses.l1.multicall
    expect(multicall).toBeDefined()
    const plain = await tick(undefined)
    const batched = await tick(multicall)
    expect(batched.calls).toEqual(plain.calls)
    const count = (r: typeof plain, method: string) =>
      r.methods.filter((m) => m.method === method).reduce((s, m) => s + m.count, 0)
    // Unbatched: every read of every job is its own request (native balances as eth_getBalance).
    expect(count(plain, 'eth_call')).toBeGreaterThanOrEqual((JOBS / 2) * 4 + JOBS / 2)
    expect(count(plain, 'eth_getBalance')).toBe(JOBS / 2)
    expect(count(batched, 'eth_getBalance')).toBe(0)
    expect(count(batched, 'eth_call')).toBeLessThanOrEqual(8)
    expect(batched.requests * 10).toBeLessThan(plain.requests)
    console.log(
      `RPC requests for ${JOBS} swap jobs in one tick: ${plain.requests} without batching, ${batched.requests} with multicall batching`,
    )
  }, 60_000)
})
