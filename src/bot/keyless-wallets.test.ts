// Which wallets run keyless: only in a dry run on forks, only when the address is known without a secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../config/load.ts'
import { isKeyless } from '../chain/keyless-account.ts'
import { liveKeyIssues, walletWithoutKey } from './keyless-wallets.ts'

const A = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const B = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const dir = mkdtempSync(join(tmpdir(), 'keyless-wallets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const keystore = join(dir, 'ops.json')
writeFileSync(keystore, JSON.stringify({ version: 3, address: A.slice(2).toLowerCase(), crypto: {} }))

describe('walletWithoutKey', () => {
  it('gives a keyless account for an address or a readable keystore, only in a dry run on forks', () => {
    expect(walletWithoutKey({ name: 'a', address: A }, true)?.address).toBe(A)
    expect(isKeyless(walletWithoutKey({ name: 'k', keystore }, true)!)).toBe(true)
    expect(walletWithoutKey({ name: 'k', keystore }, true)?.address).toBe(A)
    expect(walletWithoutKey({ name: 'a', address: A }, false)).toBeUndefined()
    expect(walletWithoutKey({ name: 'k', keystore }, false)).toBeUndefined()
  })

  it('loads keys as usual for privateKeyEnv without address and for devnet accounts', () => {
    expect(walletWithoutKey({ name: 'e', privateKeyEnv: 'SOME_KEY' }, true)).toBeUndefined()
    expect(walletWithoutKey({ name: 'd', devnetAccount: 1 }, true)).toBeUndefined()
  })

  it('refuses a keystore whose address is not the configured one', () => {
    expect(() => walletWithoutKey({ name: 'k', keystore, address: B }, true)).toThrow(
      /belongs to .* not the configured/,
    )
  })
})

describe('liveKeyIssues', () => {
  it('lists every address-only wallet with its path', async () => {
    const c = await parseConfig(
      {
        chains: [{ id: 1, name: 'mainnet', rpcUrls: ['https://rpc.example.org'] }],
        wallets: [
          { name: 'ops', keystore },
          { name: 'watch', address: B },
          { name: 'hot', privateKeyEnv: 'HOT_KEY' },
        ],
      },
      'test',
      { env: {} },
    )
    expect(liveKeyIssues(c)).toEqual([
      { path: 'wallets[1]', message: expect.stringContaining('wallet "watch" has only an address') as string },
    ])
  })
})
