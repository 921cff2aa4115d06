// The keyless proxy sends marked transactions by impersonation on a real anvil and keeps the journaled hash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, http, keccak256, parseEther, parseGwei, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ANVIL_TEST_KEYS, startAnvil, type AnvilInstance } from '../devnet/anvil.ts'
import { keylessAccount } from '../chain/keyless-account.ts'
import { startKeylessForkProxy, type KeylessForkProxy } from './keyless-fork-proxy.ts'

let anvil: AnvilInstance
let proxy: KeylessForkProxy
// Anvil's account 2, used by address only: its key is never read here.
const holder = privateKeyToAccount(ANVIL_TEST_KEYS[2]).address
const recipient = '0x000000000000000000000000000000000000bEEF'

beforeAll(async () => {
  anvil = await startAnvil({ chainId: 1 })
  proxy = await startKeylessForkProxy(anvil.rpcUrl)
})
afterAll(async () => {
  await proxy?.close()
  await anvil?.stop()
})

const rpc = async <T>(
  url: string,
  method: string,
  params: unknown[],
): Promise<{ result?: T; error?: { message: string } }> =>
  (await (
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
  ).json()) as { result?: T; error?: { message: string } }

const transfer = (nonce: number) =>
  ({
    chainId: 1,
    type: 'eip1559',
    nonce,
    to: recipient,
    value: parseEther('1'),
    gas: 21_000n,
    maxFeePerGas: parseGwei('20'),
    maxPriorityFeePerGas: parseGwei('1'),
  }) as const

describe('keyless fork proxy', () => {
  it('sends a keyless transaction as its address; receipts answer under the journaled hash', async () => {
    const client = createPublicClient({ transport: http(proxy.url), cacheTime: 0 })
    const raw = await keylessAccount(holder).signTransaction(transfer(0))
    // Straight to anvil the marker is no valid signature for the holder: refused.
    expect((await rpc(anvil.rpcUrl, 'eth_sendRawTransaction', [raw])).error).toBeDefined()
    const sent = await rpc<Hex>(proxy.url, 'eth_sendRawTransaction', [raw])
    expect(sent.result).toBe(keccak256(raw))
    const receipt = await client.waitForTransactionReceipt({ hash: keccak256(raw), pollingInterval: 20 })
    expect(receipt.status).toBe('success')
    expect(receipt.from.toLowerCase()).toBe(holder.toLowerCase())
    expect(receipt.transactionHash).toBe(keccak256(raw))
    expect(await client.getBalance({ address: recipient })).toBe(parseEther('1'))
    // A re-broadcast of the same bytes is "known", not a second transfer.
    expect((await rpc<Hex>(proxy.url, 'eth_sendRawTransaction', [raw])).result).toBe(keccak256(raw))
    expect(await client.getBalance({ address: recipient })).toBe(parseEther('1'))
    expect(proxy.impersonatedSends()).toBe(1)
  })

  it('passes really signed transactions through unchanged', async () => {
    const signer = privateKeyToAccount(ANVIL_TEST_KEYS[3])
    const raw = await signer.signTransaction(transfer(0))
    const sent = await rpc<Hex>(proxy.url, 'eth_sendRawTransaction', [raw])
    expect(sent.result).toBe(keccak256(raw))
    expect(proxy.impersonatedSends()).toBe(1)
  })
})
