// The fault proxy in front of a real anvil: every fault kind, both phases, every-Nth, batches, seeded chaos, close.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { privateKeyToAccount } from 'viem/accounts'
import type { Hex } from 'viem'
import { anvilRpc, startAnvil, ANVIL_TEST_KEYS, type AnvilInstance } from '../../src/devnet/anvil.ts'
import { startFaultProxy, seededRandom, type FaultProxy } from './fault-proxy.ts'

const account = privateKeyToAccount(ANVIL_TEST_KEYS[2])
let anvil: AnvilInstance
let proxy: FaultProxy
let nonce = 0

interface Answer {
  status: number
  body: unknown
}

async function post(url: string, body: unknown, timeoutMs = 5_000): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    /* non-JSON error body */
  }
  return { status: res.status, body: parsed }
}

const call = (method: string, params: unknown[] = [], id: number = 1) => ({ jsonrpc: '2.0', id, method, params })

async function rawTransfer(): Promise<Hex> {
  return account.signTransaction({
    chainId: 31337,
    type: 'eip1559',
    to: account.address,
    value: 1n,
    gas: 21_000n,
    nonce: nonce++,
    maxFeePerGas: 50_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  })
}

async function onChainNonce(): Promise<number> {
  return Number(await anvilRpc<string>(anvil.rpcUrl, 'eth_getTransactionCount', [account.address, 'latest']))
}

beforeAll(async () => {
  anvil = await startAnvil()
  proxy = await startFaultProxy({ target: anvil.rpcUrl, seed: 42, path: '/v3/IGNOREDPATH' })
})
afterAll(async () => {
  await proxy?.close()
  await anvil?.stop()
})
afterEach(() => {
  proxy.clearRules()
  proxy.setChaos(undefined)
  proxy.resetCounts()
})

describe('pass-through and counting', () => {
  it('forwards calls unchanged (path ignored) and counts them per method, batch members one by one', async () => {
    const single = await post(proxy.url, call('eth_chainId'))
    expect((single.body as { result: string }).result).toBe('0x7a69')
    const batch = await post(proxy.url, [
      call('eth_chainId', [], 1),
      call('eth_blockNumber', [], 2),
      call('eth_chainId', [], 3),
    ])
    expect(Array.isArray(batch.body)).toBe(true)
    expect((batch.body as { id: number }[]).map((b) => b.id)).toEqual([1, 2, 3])
    expect(proxy.counts()).toEqual({ eth_chainId: 3, eth_blockNumber: 1 })
  })
})

describe('fault kinds', () => {
  it('rpc-error inside a batch hits only the matching call', async () => {
    proxy.addRule({ method: 'eth_blockNumber', fault: { kind: 'rpc-error', code: -32000, message: 'boom' } })
    const batch = (await post(proxy.url, [call('eth_chainId', [], 1), call('eth_blockNumber', [], 2)])).body as Record<
      string,
      unknown
    >[]
    expect(batch[0]!.result).toBe('0x7a69')
    expect(batch[1]!.error).toEqual({ code: -32000, message: 'boom' })
  })

  it('http status for the whole request, limited by `times`', async () => {
    proxy.addRule({ fault: { kind: 'http', status: 429 }, times: 2 })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await post(proxy.url, call('eth_chainId'))).status)
    expect(statuses).toEqual([429, 429, 200])
    expect(proxy.injected()).toEqual({ http: 2 })
  })

  it('every 3rd eth_sendRawTransaction failed BEFORE forwarding never reaches the chain', async () => {
    proxy.addRule({
      method: 'eth_sendRawTransaction',
      fault: { kind: 'rpc-error', message: 'injected' },
      every: 3,
      phase: 'before',
    })
    const start = await onChainNonce()
    nonce = start
    const results = []
    for (let i = 0; i < 3; i++)
      results.push(await post(proxy.url, call('eth_sendRawTransaction', [await rawTransfer()])))
    expect(results.map((r) => 'error' in (r.body as object))).toEqual([false, false, true])
    const deadline = Date.now() + 10_000
    while ((await onChainNonce()) < start + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(await onChainNonce()).toBe(start + 2)
    nonce = start + 2 // the failed one never went out; reuse its nonce
  })

  it('every 3rd eth_sendRawTransaction failed AFTER forwarding lands on chain although the client saw an error', async () => {
    proxy.addRule({ method: 'eth_sendRawTransaction', fault: { kind: 'http', status: 502 }, every: 3, phase: 'after' })
    const start = await onChainNonce()
    nonce = start
    const statuses = []
    for (let i = 0; i < 3; i++)
      statuses.push((await post(proxy.url, call('eth_sendRawTransaction', [await rawTransfer()]))).status)
    expect(statuses).toEqual([200, 200, 502])
    // Automine may trail the answer: confirm by the chain's nonce, never by what the client was told.
    const deadline = Date.now() + 10_000
    while ((await onChainNonce()) < start + 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(await onChainNonce()).toBe(start + 3)
  })

  it('delay: a short client timeout fires; the answer arrives for a patient client', async () => {
    proxy.addRule({ method: 'eth_chainId', fault: { kind: 'delay', ms: 600 }, times: 1 })
    await expect(post(proxy.url, call('eth_chainId'), 150)).rejects.toThrow()
    proxy.addRule({ method: 'eth_chainId', fault: { kind: 'delay', ms: 300 }, times: 1 })
    const slow = await post(proxy.url, call('eth_chainId'), 10_000)
    expect((slow.body as { result: string }).result).toBe('0x7a69')
  })

  it('hang: no answer until releaseHangs; drop: the connection is reset', async () => {
    proxy.addRule({ method: 'eth_chainId', fault: { kind: 'hang' }, times: 1 })
    let settled = false
    const pending = post(proxy.url, call('eth_chainId'), 20_000).then((a) => {
      settled = true
      return a
    })
    await new Promise((r) => setTimeout(r, 300))
    expect(settled).toBe(false)
    proxy.releaseHangs()
    expect((await pending).status).toBe(503)
    proxy.addRule({ method: 'eth_chainId', fault: { kind: 'drop' }, times: 1 })
    await expect(post(proxy.url, call('eth_chainId'))).rejects.toThrow()
  })

  it('stale: block number and latest block come from a frozen height while the chain moves on', async () => {
    const h0 = BigInt(await anvilRpc<string>(anvil.rpcUrl, 'eth_blockNumber'))
    proxy.addRule({ fault: { kind: 'stale' } })
    await anvilRpc(anvil.rpcUrl, 'evm_mine')
    await anvilRpc(anvil.rpcUrl, 'evm_mine')
    const bn = (await post(proxy.url, call('eth_blockNumber'))).body as { result: string }
    // Without an explicit height the rule freezes the height it sees on its first hit.
    const frozen = BigInt(bn.result)
    expect(frozen).toBe(h0 + 2n)
    await anvilRpc(anvil.rpcUrl, 'evm_mine')
    const again = (await post(proxy.url, call('eth_blockNumber'))).body as { result: string }
    const latest = (await post(proxy.url, call('eth_getBlockByNumber', ['latest', false]))).body as {
      result: { number: string }
    }
    const real = BigInt(await anvilRpc<string>(anvil.rpcUrl, 'eth_blockNumber'))
    expect(BigInt(again.result)).toBe(frozen)
    expect(BigInt(latest.result.number)).toBe(frozen)
    expect(real).toBe(frozen + 1n)
    // Other methods pass through a stale rule untouched.
    expect(((await post(proxy.url, call('eth_chainId'))).body as { result: string }).result).toBe('0x7a69')
  })

  it('stale with an explicit height', async () => {
    proxy.addRule({ fault: { kind: 'stale', height: 1n } })
    const latest = (await post(proxy.url, call('eth_getBlockByNumber', ['latest', false]))).body as {
      result: { number: string }
    }
    expect(latest.result.number).toBe('0x1')
  })
})

describe('seeded chaos', () => {
  it('injects roughly the configured mix, reproducibly for a seed', async () => {
    const N = 50
    const runOnce = async (): Promise<string> => {
      const p = await startFaultProxy({ target: anvil.rpcUrl, seed: 1234 })
      p.setChaos({ errorRate: 0.3, hangRate: 0.05, staleRate: 0.05 })
      // Sequential calls keep the RNG draws in a fixed order; hung calls end by the client's own timeout.
      for (let i = 0; i < N; i++) {
        await post(p.url, call(i % 2 ? 'eth_blockNumber' : 'eth_chainId'), 120).catch(() => undefined)
      }
      const inj = p.injected()
      await p.close()
      const errors = (inj['rpc-error'] ?? 0) + (inj.http ?? 0)
      expect(errors).toBeGreaterThan(N * 0.15)
      expect(errors).toBeLessThan(N * 0.45)
      expect(inj.hang ?? 0).toBeGreaterThan(0)
      expect(inj.stale ?? 0).toBeGreaterThan(0)
      return JSON.stringify(inj)
    }
    // Two proxies with the same seed, driven concurrently (each sequentially), inject the same faults.
    const [a, b] = await Promise.all([runOnce(), runOnce()])
    expect(a).toBe(b)
  })

  it('seededRandom is deterministic and spread over [0, 1)', () => {
    const a = seededRandom(9)
    const b = seededRandom(9)
    const xs = Array.from({ length: 1000 }, () => a())
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()))
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...xs)).toBeLessThan(1)
    expect(xs.filter((x) => x < 0.3).length).toBeGreaterThan(230)
    expect(xs.filter((x) => x < 0.3).length).toBeLessThan(370)
  })
})

describe('close', () => {
  it('closes promptly with a hung request open, and that client sees an error', async () => {
    const p = await startFaultProxy({ target: anvil.rpcUrl })
    p.addRule({ fault: { kind: 'hang' } })
    const hung = post(p.url, call('eth_chainId'), 30_000)
    await new Promise((r) => setTimeout(r, 100))
    await p.close()
    await expect(hung).rejects.toThrow()
    await expect(post(p.url, call('eth_chainId'))).rejects.toThrow()
  })
})
