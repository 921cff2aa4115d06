// Clients against real anvil nodes: chain-id guard, fallback past a dead URL, no stale cached block numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer } from 'node:net'
import { anvilRpc, startAnvil, type AnvilInstance } from '../devnet/anvil.ts'
import { assertChainId, createChainClient, createChainClients, defineBotChain } from './clients.ts'
import { ChainError, ChainIdMismatchError } from './errors.ts'
import { startFaultProxy } from '../../test/helpers/fault-proxy.ts'

let anvil: AnvilInstance
let other: AnvilInstance
let deadUrl: string

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port
      srv.close(() => resolve(p))
    })
  })
}

beforeAll(async () => {
  ;[anvil, other] = await Promise.all([startAnvil(), startAnvil({ chainId: 4242 })])
  deadUrl = `http://127.0.0.1:${await freePort()}/v3/CLIENTSECRETKEY`
})
afterAll(async () => {
  await Promise.all([anvil?.stop(), other?.stop()])
})

describe('assertChainId', () => {
  it('passes when the RPC reports the configured chain', async () => {
    const client = createChainClient({ chainId: 31337, rpcUrls: [anvil.rpcUrl] })
    await expect(assertChainId(client, 31337)).resolves.toBeUndefined()
  })

  it('throws a non-retryable ChainIdMismatchError naming both ids when the RPC is another chain', async () => {
    // The client is configured for 31337 but the URL points at a 4242 node: the misrouted-URL case.
    const client = createChainClient({ chainId: 31337, rpcUrls: [other.rpcUrl] })
    const err = await assertChainId(client, 31337).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ChainIdMismatchError)
    const e = err as ChainIdMismatchError
    expect(e.code).toBe('CHAIN_ID_MISMATCH')
    expect(e.retryable).toBe(false)
    expect([e.expected, e.actual]).toEqual([31337, 4242])
    expect(e.message).toContain('refusing to sign')
    expect(JSON.stringify(e) + e.message).not.toContain(String(other.port))
  })

  it('maps an unreachable RPC to a retryable transport error without the URL', async () => {
    const client = createChainClient({ chainId: 31337, rpcUrls: [deadUrl], retryCount: 0 })
    const err = await assertChainId(client, 31337).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ChainError)
    expect((err as ChainError).code).toBe('RPC_UNAVAILABLE')
    expect((err as ChainError).retryable).toBe(true)
    expect(JSON.stringify(err) + (err as Error).message + String((err as Error).cause)).not.toContain('CLIENTSECRETKEY')
  })
})

describe('createChainClient', () => {
  it('falls back to the next URL when the first one is down', async () => {
    const client = createChainClient({ chainId: 31337, rpcUrls: [deadUrl, anvil.rpcUrl], retryCount: 0 })
    expect(await client.getChainId()).toBe(31337)
    await expect(assertChainId(client, 31337)).resolves.toBeUndefined()
  })

  it('never serves a cached block number (cacheTime 0)', async () => {
    const client = createChainClient({ chainId: 31337, rpcUrls: [anvil.rpcUrl] })
    const a = await client.getBlockNumber()
    await anvilRpc(anvil.rpcUrl, 'evm_mine')
    const b = await client.getBlockNumber()
    await anvilRpc(anvil.rpcUrl, 'evm_mine')
    const c = await client.getBlockNumber()
    expect([b - a, c - b]).toEqual([1n, 1n])
    expect(client.cacheTime).toBe(0)
    expect(client.pollingInterval).toBeLessThanOrEqual(500)
  })

  it('keeps RPC URLs out of the chain object and refuses an empty URL list', () => {
    const client = createChainClient({ chainId: 31337, rpcUrls: [`${anvil.rpcUrl}/v3/CLIENTSECRETKEY`] })
    expect(JSON.stringify(client.chain)).not.toContain('CLIENTSECRETKEY')
    expect(defineBotChain(10, 'op').rpcUrls.default.http).toEqual([])
    expect(() => createChainClient({ chainId: 1, rpcUrls: [] })).toThrow(/no RPC URL configured for chain 1/)
  })

  it('builds one client per configured chain', async () => {
    const clients = createChainClients([
      { chainId: 31337, rpcUrls: [anvil.rpcUrl] },
      { chainId: 4242, rpcUrls: [other.rpcUrl] },
    ])
    expect(await clients.get(4242)!.getChainId()).toBe(4242)
    expect(await clients.get(31337)!.getChainId()).toBe(31337)
  })
})

describe('JSON-RPC batching (rpcBatchSize)', () => {
  it('sends the calls of one tick as one HTTP request when on, one request per call when off', async () => {
    const proxy = await startFaultProxy({ target: anvil.rpcUrl })
    try {
      const read = (client: ReturnType<typeof createChainClient>) =>
        Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            client.getBalance({ address: `0x${(i + 1).toString(16).padStart(40, '0')}` }),
          ),
        )
      const batched = createChainClient({ chainId: 31337, rpcUrls: [proxy.url], rpcBatchSize: 64 })
      const balances = await read(batched)
      expect(balances).toHaveLength(8)
      expect(proxy.counts().eth_getBalance).toBe(8)
      expect(proxy.httpRequests()).toBe(1)
      proxy.resetCounts()
      await read(createChainClient({ chainId: 31337, rpcUrls: [proxy.url] }))
      expect(proxy.httpRequests()).toBe(8)
    } finally {
      await proxy.close()
    }
  })
})
