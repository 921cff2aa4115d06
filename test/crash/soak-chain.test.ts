// The soak chain's restart keeps the chain: same head, nonces, balances and receipts; only empty old blocks go.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { anvilRpc } from '../../src/devnet/anvil.ts'
import { pruneDump, startSoakChain } from './soak-chain.ts'

const FROM = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' // anvil's first unlocked dev account
const TO = '0x00000000000000000000000000000000c0de0001'

it('restarts from a pruned dump with the same head, nonce, balance and old receipts', async () => {
  const urls: string[] = []
  const chain = await startSoakChain({
    dir: mkdtempSync(join(tmpdir(), 'soak-chain-')),
    restartEveryBlocks: 30,
    onRestart: (url) => urls.push(url),
  })
  try {
    const first = chain.url()
    const hash = await anvilRpc<string>(first, 'eth_sendTransaction', [{ from: FROM, to: TO, value: '0x2a' }])
    while (chain.stats().restarts < 2) await new Promise((r) => setTimeout(r, 100))
    await chain.stopMining()
    const url = chain.url()
    expect(url).not.toBe(first)
    expect(urls.at(-1)).toBe(url)
    const receipt = await anvilRpc<{ status: string; blockNumber: string }>(url, 'eth_getTransactionReceipt', [hash])
    expect(receipt.status).toBe('0x1')
    // The block holding the transaction survives pruning; the ones pruned were empty and answer null.
    const block = await anvilRpc<{ transactions: string[] }>(url, 'eth_getBlockByNumber', [receipt.blockNumber, false])
    expect(block.transactions).toEqual([hash])
    expect(Number(await anvilRpc(url, 'eth_getTransactionCount', [FROM, 'latest']))).toBe(1)
    expect(BigInt(await anvilRpc<string>(url, 'eth_getBalance', [TO, 'latest']))).toBe(42n)
    const stats = chain.stats()
    expect(stats.failures).toEqual([])
    expect(Number(await anvilRpc(url, 'eth_blockNumber'))).toBeGreaterThanOrEqual(60)
  } finally {
    await chain.stop()
  }
}, 60_000)

it('prunes the block-hash ring and old empty blocks, and nothing else', () => {
  const block = (n: number, txs: unknown[] = []) => ({
    header: { number: `0x${n.toString(16)}`, parentHash: `0xparent${n}` },
    transactions: txs,
  })
  const state = {
    best_block_number: 1000,
    blocks: [block(0), block(1000), block(5, ['tx']), block(6), block(900)],
    accounts: {
      ring: { storage: { [`0x${(999 % 8191).toString(16).padStart(64, '0')}`]: '0xparent1000', '0x01': '0xaa' } },
      token: { storage: { '0x01': '0xaa' } },
    },
  }
  expect(pruneDump(state)).toBe(1)
  expect(state.blocks.map((b) => Number(b.header.number))).toEqual([0, 1000, 5, 900])
  expect(state.accounts.ring.storage).toEqual({})
  expect(state.accounts.token.storage).toEqual({ '0x01': '0xaa' })
})
