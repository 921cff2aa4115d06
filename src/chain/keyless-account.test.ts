// Keyless accounts: marked transactions round-trip to their sender; real signatures are never taken for marked ones.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseEther, parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { isKeyless, keylessAccount, keystoreAddress, parseKeylessTransaction } from './keyless-account.ts'

const address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const tx = {
  chainId: 1,
  type: 'eip1559',
  nonce: 7,
  to: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2',
  value: parseEther('0.2'),
  data: '0xd0e30db0',
  gas: 60_000n,
  maxFeePerGas: parseGwei('30'),
  maxPriorityFeePerGas: parseGwei('1'),
} as const

describe('keylessAccount', () => {
  it('marks its transactions with the sender; the parser gives back sender and every field', async () => {
    const acct = keylessAccount(address)
    expect(isKeyless(acct)).toBe(true)
    const parsed = parseKeylessTransaction(await acct.signTransaction(tx))
    expect(parsed?.from).toBe(address)
    expect(parsed?.tx).toMatchObject({ nonce: 7, to: tx.to.toLowerCase(), value: tx.value, data: tx.data, gas: tx.gas })
    expect(parsed?.tx.maxFeePerGas).toBe(tx.maxFeePerGas)
  })

  it('a really signed transaction is not taken for a keyless one', async () => {
    const real = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
    expect(parseKeylessTransaction(await real.signTransaction(tx))).toBeUndefined()
    expect(parseKeylessTransaction('0x1234')).toBeUndefined()
  })

  it('refuses to sign messages and prints as its address only', async () => {
    const acct = keylessAccount(address)
    await expect(acct.signMessage({ message: 'hi' })).rejects.toThrow(/no key/)
    expect(JSON.stringify(acct)).toBe(JSON.stringify({ address }))
  })
})

describe('keystoreAddress', () => {
  it('reads the address field without the passphrase, and names the file when it is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-'))
    const path = join(dir, 'k.json')
    writeFileSync(path, JSON.stringify({ version: 3, address: address.slice(2).toLowerCase(), crypto: {} }))
    expect(keystoreAddress(path)).toBe(address)
    writeFileSync(path, JSON.stringify({ version: 3, crypto: {} }))
    expect(() => keystoreAddress(path)).toThrow(/no readable "address"/)
    expect(() => keystoreAddress(join(dir, 'missing.json'))).toThrow(/cannot read keystore/)
  })
})
