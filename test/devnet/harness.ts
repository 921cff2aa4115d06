// Test harness: read contexts over the devnet, an RPC recorder (to prove no write happened) and balance readers.
import { createPublicClient, custom, type Address, type PublicClient } from 'viem'
import { createReadContext } from '../../protocols/context.ts'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import type { Clock, ReadContext } from '../../protocols/types.ts'
import type { Devnet, DevnetChain } from '../../src/devnet/devnet.ts'

/** JSON-RPC methods that change chain state. */
export const WRITE_METHODS = new Set([
  'eth_sendRawTransaction',
  'eth_sendTransaction',
  'eth_signTransaction',
  'eth_sign',
  'personal_sign',
])

/** A read client that records every JSON-RPC method it forwards. */
function recordingClient(c: DevnetChain, log: string[]): PublicClient {
  return createPublicClient({
    chain: c.chain,
    cacheTime: 0,
    pollingInterval: 20,
    transport: custom({
      async request({ method, params }) {
        log.push(method)
        const res = await fetch(c.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        })
        const body = (await res.json()) as {
          result?: unknown
          error?: { code: number; message: string; data?: unknown }
        }
        if (body.error)
          throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data })
        return body.result
      },
    }),
  }) as PublicClient
}

/** A read context for `wallet` over both devnet chains; `rpcLog` collects every method called through it. */
export function devnetContext(
  devnet: Devnet,
  wallet: Address,
  opts: { ownWallets?: Address[]; clock?: Clock } = {},
): ReadContext & { rpcLog: string[] } {
  const rpcLog: string[] = []
  const ctx = createReadContext({
    clients: {
      [devnet.l1.chainId]: recordingClient(devnet.l1, rpcLog),
      [devnet.l2.chainId]: recordingClient(devnet.l2, rpcLog),
    },
    wallet,
    ownWallets: opts.ownWallets ?? devnet.accounts.map((a) => a.address),
    book: devnet.book,
    clock: opts.clock,
  })
  return Object.assign(ctx, { rpcLog })
}

/** ERC-20 balance on a devnet chain. */
export function erc20BalanceOf(c: DevnetChain, token: Address, owner: Address): Promise<bigint> {
  return c.client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
}

/** A clock tests advance by hand: sleep() moves time forward instead of waiting (plus a tick to let I/O run). */
export function createManualClock(startMs = Date.now()): Clock & { advance(ms: number): void } {
  let now = startMs
  return {
    now: () => now,
    advance(ms) {
      now += ms
    },
    async sleep(ms) {
      now += ms
      await new Promise((r) => setTimeout(r, 5))
    },
  }
}
