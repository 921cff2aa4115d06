// Setup plumbing shared by the local chains: a chain record per anvil, and batched, receipt-confirmed setup txs.
import {
  createPublicClient,
  defineChain,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  http,
  type Abi,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
} from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import type { AnvilInstance } from './anvil.ts'
import type { Artifact } from './devnet-artifacts.ts'

/** Gas for each setup transaction: fixed so no estimate round trip is needed (anvil refunds what is unused). */
const SETUP_GAS = 8_000_000n

/** One running chain of the devnet. */
export interface DevnetChain {
  chainId: number
  rpcUrl: string
  chain: Chain
  anvil: AnvilInstance
  /** Read client with caching off (anvil heights move fast). */
  client: PublicClient
}

/** A devnet chain record (chain, read client) for a running anvil. */
export function chainOf(anvil: AnvilInstance, name: string): DevnetChain {
  return { ...chainAt(anvil.chainId, anvil.rpcUrl, name), anvil }
}

/** A chain definition and a read client for a devnet chain known only by its id and RPC URL. */
export function chainAt(chainId: number, rpcUrl: string, name: string): Omit<DevnetChain, 'anvil'> {
  const chain = defineChain({
    id: chainId,
    name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
  const client = createPublicClient({
    chain,
    transport: http(rpcUrl),
    cacheTime: 0,
    pollingInterval: 20,
  }) as PublicClient
  return { chainId, rpcUrl, chain, client }
}

/**
 * Collects setup transactions signed locally with explicit nonces, fixed gas and fees (no estimate, nonce or
 * chain-id round trips), sends them in nonce order as ONE JSON-RPC batch, then confirms every one by receipt:
 * a returned hash alone proves nothing (a flood of txs was once accepted and never mined).
 */
export function createSetupBatch(c: DevnetChain, account: PrivateKeyAccount, firstNonce = 0) {
  let nonce = firstNonce
  const signed: Promise<Hex>[] = []
  const add = (to: Address | null, data: Hex, value = 0n): number => {
    const n = nonce++
    signed.push(
      account.signTransaction({
        chainId: c.chainId,
        type: 'eip1559',
        nonce: n,
        gas: SETUP_GAS,
        ...(to ? { to } : {}),
        data,
        value,
        maxFeePerGas: 20_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      }),
    )
    return n
  }
  return {
    nextNonce: (): number => nonce,
    deploy: (a: Artifact, args: readonly unknown[] = []): Address =>
      getContractAddress({
        from: account.address,
        nonce: BigInt(add(null, encodeDeployData({ abi: a.abi, bytecode: a.bytecode, args }))),
      }),
    call: (to: Address, abi: Abi, functionName: string, args: readonly unknown[], value = 0n): void => {
      add(to, encodeFunctionData({ abi, functionName, args }), value)
    },
    /** Sends each transaction only after its predecessor's receipt: no mining race, so no parked transaction. */
    async sendOneByOne(): Promise<void> {
      for (const raw of await Promise.all(signed)) {
        const [hash] = await rpcBatch<Hash>(c.rpcUrl, [['eth_sendRawTransaction', [raw]]])
        const got = new Map<Hash, { status: Hex }>()
        if (!(await collectReceipts(c.rpcUrl, [hash!], got, 30_000)))
          throw new Error(`setup transaction ${hash} on chain ${c.chainId} not mined in 30 s`)
        if (got.get(hash!)!.status !== '0x1')
          throw new Error(`setup transaction ${hash} on chain ${c.chainId} reverted`)
      }
    },
    async sendAndConfirm(): Promise<void> {
      const raws = await Promise.all(signed)
      const hashes = await rpcBatch<Hash>(
        c.rpcUrl,
        raws.map((raw) => ['eth_sendRawTransaction', [raw]]),
      )
      const receipts = new Map<Hash, { status: Hex }>()
      for (let round = 1; ; round++) {
        // A parked transaction shows as receipts that stop coming: re-send after 1.5 s without progress, not later.
        if (await collectReceipts(c.rpcUrl, hashes, receipts, 1_500)) break
        if (round === 20)
          throw new Error(
            `${hashes.length - receipts.size} setup transactions on chain ${c.chainId} not mined after 20 re-sends`,
          )
        // anvil's pool can park a transaction sent while its predecessor is mined (scripts/README.md): clear the
        // account's pool and re-send the unmined ones one at a time, same bytes (one already mined just errors).
        await rpcBatch(c.rpcUrl, [['anvil_removePoolTransactions', [account.address]]])
        for (const [i, h] of hashes.entries()) {
          if (!receipts.has(h)) await rpcBatch(c.rpcUrl, [['eth_sendRawTransaction', [raws[i]]]]).catch(() => undefined)
        }
      }
      const bad = [...receipts].find(([, r]) => r.status !== '0x1')
      if (bad) throw new Error(`setup transaction ${bad[0]} on chain ${c.chainId} reverted`)
    },
  }
}

/** Polls the receipts still missing from `into` (one batch per poll); true once all are in, false after `stallMs` without a new one. */
async function collectReceipts(
  rpcUrl: string,
  hashes: Hash[],
  into: Map<Hash, { status: Hex }>,
  stallMs: number,
): Promise<boolean> {
  let lastProgress = Date.now()
  for (;;) {
    const open = hashes.filter((h) => !into.has(h))
    if (open.length === 0) return true
    if (Date.now() - lastProgress >= stallMs) return false
    const got = await rpcBatch<{ status: Hex } | null>(
      rpcUrl,
      open.map((h) => ['eth_getTransactionReceipt', [h]]),
    )
    open.forEach((h, i) => {
      if (got[i]) into.set(h, got[i]!)
    })
    if (got.some((r) => r)) lastProgress = Date.now()
    if (got.some((r) => !r)) await new Promise((r) => setTimeout(r, 10))
  }
}

/** One HTTP round trip for many JSON-RPC calls; answers are matched by id, any error fails the whole batch. */
async function rpcBatch<T>(rpcUrl: string, calls: [string, unknown[]][]): Promise<T[]> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))),
  })
  const body = (await res.json()) as { id: number; result?: T; error?: { message: string } }[]
  const byId = new Map(body.map((r) => [r.id, r]))
  return calls.map(([method], id) => {
    const r = byId.get(id)
    if (!r || r.error) throw new Error(`${method} #${id} failed: ${r?.error?.message ?? 'no answer'}`)
    return r.result as T
  })
}
