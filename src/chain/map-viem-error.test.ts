// Provokes each real error (anvil, the fault proxy, viem itself) and checks its mapping and `retryable`/`unknown`.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createServer } from 'node:net'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { encodeFunctionData, type Address, type Hex, type PublicClient } from 'viem'
import { anvilRpc, startAnvil, ANVIL_TEST_KEYS, type AnvilInstance } from '../devnet/anvil.ts'
import { startFaultProxy, type FaultProxy } from '../../test/helpers/fault-proxy.ts'
import { REVERTER_ABI, REVERTER_BYTECODE } from '../../test/helpers/reverter-contract.ts'
import { createChainClient } from './clients.ts'
import { ChainError, RevertError } from './errors.ts'
import { mapViemError } from './map-viem-error.ts'

const SECRET_PATH = '/v3/MAPTESTSECRETKEY0123'
const account = privateKeyToAccount(ANVIL_TEST_KEYS[0])
const GWEI = 1_000_000_000n
let anvil: AnvilInstance
let proxy: FaultProxy
let client: PublicClient
let viaProxy: PublicClient
let reverter: Address
let snapshot: Hex

async function signTransfer(
  nonce: number,
  over: { value?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint } = {},
  signer = account,
): Promise<Hex> {
  return signer.signTransaction({
    chainId: 31337,
    type: 'eip1559',
    to: account.address,
    gas: 21_000n,
    nonce,
    value: over.value ?? 1n,
    maxFeePerGas: over.maxFeePerGas ?? 20n * GWEI,
    maxPriorityFeePerGas: over.maxPriorityFeePerGas ?? GWEI,
  })
}

async function mapped(p: Promise<unknown>, ctx: Parameters<typeof mapViemError>[1] = {}): Promise<ChainError> {
  try {
    await p
  } catch (err) {
    return mapViemError(err, ctx)
  }
  throw new Error('expected the call to fail')
}

function assertNoSecret(e: ChainError): void {
  const all = [
    e.message,
    e.stack ?? '',
    JSON.stringify(e),
    String((e.cause as Error | undefined)?.message),
    String((e.cause as Error | undefined)?.stack),
  ]
  for (const s of all) {
    expect(s).not.toContain('MAPTESTSECRETKEY0123')
    expect(s).not.toContain(ANVIL_TEST_KEYS[0].slice(2))
  }
}

beforeAll(async () => {
  anvil = await startAnvil()
  proxy = await startFaultProxy({ target: anvil.rpcUrl, path: SECRET_PATH, seed: 7 })
  client = createChainClient({ chainId: 31337, rpcUrls: [anvil.rpcUrl], retryCount: 0 })
  viaProxy = createChainClient({ chainId: 31337, rpcUrls: [proxy.url], retryCount: 0, timeoutMs: 400 })
  const deploy = await account.signTransaction({
    chainId: 31337,
    type: 'eip1559',
    data: REVERTER_BYTECODE,
    gas: 500_000n,
    nonce: 0,
    maxFeePerGas: 20n * GWEI,
    maxPriorityFeePerGas: GWEI,
  })
  const hash = await client.sendRawTransaction({ serializedTransaction: deploy })
  const receipt = await client.waitForTransactionReceipt({ hash })
  reverter = receipt.contractAddress!
})

afterAll(async () => {
  await proxy?.close()
  await anvil?.stop()
})

beforeEach(async () => {
  snapshot = await anvilRpc<Hex>(anvil.rpcUrl, 'evm_snapshot')
})
afterEach(async () => {
  proxy.clearRules()
  await anvilRpc(anvil.rpcUrl, 'evm_setAutomine', [true])
  await anvilRpc(anvil.rpcUrl, 'evm_revert', [snapshot])
})

describe('node rejections from anvil', () => {
  it('nonce too low: NONCE_TOO_LOW, not retryable, outcome known even for a broadcast', async () => {
    const nonce = await client.getTransactionCount({ address: account.address })
    await client.waitForTransactionReceipt({
      hash: await client.sendRawTransaction({ serializedTransaction: await signTransfer(nonce) }),
    })
    const e = await mapped(
      client.sendRawTransaction({ serializedTransaction: await signTransfer(nonce, { value: 2n }) }),
      { broadcast: true },
    )
    expect(e.code).toBe('NONCE_TOO_LOW')
    expect(e.name).toBe('NonceError')
    expect(e.retryable).toBe(false)
    expect(e.unknown).toBe(false)
  })

  it('same bytes twice: TX_ALREADY_KNOWN (treat as sent)', async () => {
    await anvilRpc(anvil.rpcUrl, 'evm_setAutomine', [false])
    const nonce = await client.getTransactionCount({ address: account.address })
    const raw = await signTransfer(nonce)
    await client.sendRawTransaction({ serializedTransaction: raw })
    const e = await mapped(client.sendRawTransaction({ serializedTransaction: raw }), { broadcast: true })
    expect(e.code).toBe('TX_ALREADY_KNOWN')
    expect(e.retryable).toBe(false)
    expect(e.unknown).toBe(false)
  })

  it('same nonce, same fees, other content: REPLACEMENT_UNDERPRICED, not retryable', async () => {
    await anvilRpc(anvil.rpcUrl, 'evm_setAutomine', [false])
    const nonce = await client.getTransactionCount({ address: account.address })
    await client.sendRawTransaction({ serializedTransaction: await signTransfer(nonce) })
    const e = await mapped(
      client.sendRawTransaction({ serializedTransaction: await signTransfer(nonce, { value: 5n }) }),
    )
    expect(e.code).toBe('REPLACEMENT_UNDERPRICED')
    expect(e.retryable).toBe(false)
  })

  it('fee cap below the next base fee: FEE_CAP_TOO_LOW, retryable', async () => {
    // The next-block base fee survives evm_revert, so put the old one back afterwards.
    const before = (await client.getBlock()).baseFeePerGas!
    await anvilRpc(anvil.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${(500n * GWEI).toString(16)}`])
    const nonce = await client.getTransactionCount({ address: account.address })
    const e = await mapped(client.sendRawTransaction({ serializedTransaction: await signTransfer(nonce) }))
    await anvilRpc(anvil.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${before.toString(16)}`])
    expect(e.code).toBe('FEE_CAP_TOO_LOW')
    expect(e.retryable).toBe(true)
  })

  it('unfunded sender: INSUFFICIENT_FUNDS, not retryable', async () => {
    const poor = privateKeyToAccount(generatePrivateKey())
    const e = await mapped(client.sendRawTransaction({ serializedTransaction: await signTransfer(0, {}, poor) }), {
      broadcast: true,
    })
    expect(e.code).toBe('INSUFFICIENT_FUNDS')
    expect(e.retryable).toBe(false)
  })

  it('gas limit below the intrinsic cost: TX_INVALID, not retryable', async () => {
    const nonce = await client.getTransactionCount({ address: account.address })
    const raw = await account.signTransaction({
      chainId: 31337,
      type: 'eip1559',
      to: account.address,
      gas: 20_000n,
      nonce,
      value: 1n,
      maxFeePerGas: 20n * GWEI,
      maxPriorityFeePerGas: GWEI,
    })
    const e = await mapped(client.sendRawTransaction({ serializedTransaction: raw }), { broadcast: true })
    expect(e.code).toBe('TX_INVALID')
    expect(e.retryable).toBe(false)
    expect(e.unknown).toBe(false)
  })

  it('tip above fee cap (refused by viem before sending): FEE_INVALID', async () => {
    const e = await mapped(signTransfer(0, { maxFeePerGas: GWEI, maxPriorityFeePerGas: 2n * GWEI }))
    expect(e.code).toBe('FEE_INVALID')
    expect(e.retryable).toBe(false)
  })
})

describe('reverts with decoded reasons', () => {
  it('simulateContract: reason string', async () => {
    const e = await mapped(
      client.simulateContract({ account: account.address, address: reverter, abi: REVERTER_ABI, functionName: 'fail' }),
    )
    expect(e).toBeInstanceOf(RevertError)
    expect(e.code).toBe('EXECUTION_REVERTED')
    expect(e.retryable).toBe(false)
    expect((e as RevertError).reason).toBe('nope: reverter says no')
    expect(e.message).toContain('nope: reverter says no')
  })

  it('raw eth_call and estimateGas: reason decoded from revert data', async () => {
    const data = encodeFunctionData({ abi: REVERTER_ABI, functionName: 'fail' })
    const call = await mapped(client.call({ account: account.address, to: reverter, data }))
    expect((call as RevertError).reason).toBe('nope: reverter says no')
    const est = await mapped(
      client.estimateGas({
        account: account.address,
        to: reverter,
        data: encodeFunctionData({ abi: REVERTER_ABI, functionName: 'pay' }),
        value: 1n,
      }),
    )
    expect(est.code).toBe('EXECUTION_REVERTED')
    expect((est as RevertError).reason).toBe('no value')
  })

  it('a bare revert (unknown selector, no data) is still EXECUTION_REVERTED, without a reason', async () => {
    const e = await mapped(client.call({ account: account.address, to: reverter, data: '0xdeadbeef' }))
    expect(e.code).toBe('EXECUTION_REVERTED')
    expect((e as RevertError).reason).toBeUndefined()
    expect(e.message).toContain('no reason given')
    const est = await mapped(client.estimateGas({ account: account.address, to: reverter, data: '0xdeadbeef' }))
    expect(est.code).toBe('EXECUTION_REVERTED')
  })

  it('custom error decoded with the ABI passed in the context', async () => {
    const data = encodeFunctionData({ abi: REVERTER_ABI, functionName: 'failCustom' })
    const e = await mapped(client.call({ account: account.address, to: reverter, data }), { abi: REVERTER_ABI })
    expect((e as RevertError).reason).toBe('Custom(42)')
    const bare = await mapped(client.call({ account: account.address, to: reverter, data }))
    expect((bare as RevertError).reason).toBeUndefined()
    expect(bare.message).toContain('undecoded error 0xcb362b34')
  })
})

describe('transport faults through the proxy (URL carries a secret path)', () => {
  it('HTTP 429: RPC_RATE_LIMITED, retryable; unknown only for a broadcast', async () => {
    proxy.addRule({ fault: { kind: 'http', status: 429 } })
    const read = await mapped(viaProxy.getBlockNumber())
    expect(read.code).toBe('RPC_RATE_LIMITED')
    expect(read.retryable).toBe(true)
    expect(read.unknown).toBe(false)
    const send = await mapped(viaProxy.sendRawTransaction({ serializedTransaction: await signTransfer(1) }), {
      broadcast: true,
    })
    expect(send.code).toBe('RPC_RATE_LIMITED')
    expect(send.unknown).toBe(true)
    assertNoSecret(send)
  })

  it('HTTP 503: RPC_HTTP retryable; HTTP 401: not retryable', async () => {
    const remove = proxy.addRule({ fault: { kind: 'http', status: 503 } })
    const e = await mapped(viaProxy.getChainId())
    expect(e.code).toBe('RPC_HTTP')
    expect(e.retryable).toBe(true)
    remove()
    proxy.addRule({ fault: { kind: 'http', status: 401 } })
    const auth = await mapped(viaProxy.getChainId())
    expect(auth.code).toBe('RPC_HTTP')
    expect(auth.retryable).toBe(false)
    assertNoSecret(auth)
  })

  it('timeout after forwarding a broadcast: RPC_TIMEOUT, unknown, and the tx really landed', async () => {
    proxy.addRule({ method: 'eth_sendRawTransaction', fault: { kind: 'delay', ms: 1_500 }, phase: 'after' })
    const nonce = await client.getTransactionCount({ address: account.address })
    const e = await mapped(viaProxy.sendRawTransaction({ serializedTransaction: await signTransfer(nonce) }), {
      broadcast: true,
    })
    expect(e.code).toBe('RPC_TIMEOUT')
    expect(e.retryable).toBe(true)
    expect(e.unknown).toBe(true)
    expect(e.message).toMatch(/reconcile/)
    assertNoSecret(e)
    expect(await client.getTransactionCount({ address: account.address })).toBe(nonce + 1)
  })

  it('injected node message "nonce too high" (anvil queues gapped nonces instead): NONCE_TOO_HIGH', async () => {
    proxy.addRule({
      method: 'eth_sendRawTransaction',
      fault: { kind: 'rpc-error', code: -32000, message: 'nonce too high' },
    })
    const e = await mapped(viaProxy.sendRawTransaction({ serializedTransaction: await signTransfer(9) }), {
      broadcast: true,
    })
    expect(e.code).toBe('NONCE_TOO_HIGH')
    expect(e.retryable).toBe(false)
    expect(e.unknown).toBe(false)
  })

  it('internal JSON-RPC error: RPC_ERROR retryable; dropped connection: RPC_UNAVAILABLE', async () => {
    const remove = proxy.addRule({ fault: { kind: 'rpc-error', code: -32603, message: 'internal error' } })
    const e = await mapped(viaProxy.getBlockNumber())
    expect(e.code).toBe('RPC_ERROR')
    expect(e.retryable).toBe(true)
    remove()
    proxy.addRule({ fault: { kind: 'drop' } })
    const d = await mapped(viaProxy.getBlockNumber())
    expect(d.code).toBe('RPC_UNAVAILABLE')
    expect(d.retryable).toBe(true)
  })

  it('refused connection: RPC_UNAVAILABLE, retryable, unknown for a broadcast', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port
        srv.close(() => resolve(p))
      })
    })
    const dead = createChainClient({
      chainId: 31337,
      rpcUrls: [`http://127.0.0.1:${port}/key/DEADSECRET`],
      retryCount: 0,
    })
    const e = await mapped(dead.sendRawTransaction({ serializedTransaction: await signTransfer(0) }), {
      broadcast: true,
    })
    expect(e.code).toBe('RPC_UNAVAILABLE')
    expect(e.retryable).toBe(true)
    expect(e.unknown).toBe(true)
    expect(JSON.stringify(e) + e.message + String((e.cause as Error).message)).not.toContain('DEADSECRET')
  })
})

describe('mapper contract', () => {
  it('returns an existing ChainError unchanged', async () => {
    const e = await mapped(
      client.simulateContract({ account: account.address, address: reverter, abi: REVERTER_ABI, functionName: 'fail' }),
    )
    expect(mapViemError(e)).toBe(e)
  })
})
