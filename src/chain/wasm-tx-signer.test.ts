// The libsecp256k1 signer must produce exactly viem's bytes: any difference is a different transaction.
import { describe, expect, it } from 'vitest'
import { bytesToHex, recoverTransactionAddress, type Hex, type TransactionSerializable } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { withWasmTransactionSigning } from './wasm-tx-signer.ts'

const randomHex = (bytes: number): Hex => bytesToHex(crypto.getRandomValues(new Uint8Array(bytes)))
const randomBig = (bytes: number): bigint => BigInt(randomHex(bytes))

/** A random transaction of each type viem signs for the bot: EIP-1559, EIP-2930 and legacy (EIP-155). */
function randomTx(i: number): TransactionSerializable {
  const base = {
    chainId: 1 + (i % 5) * 7919,
    nonce: Number(randomBig(3)),
    to: randomHex(20),
    value: randomBig(12),
    gas: 21_000n + randomBig(2),
    data: i % 3 === 0 ? ('0x' as const) : randomHex(4 + (i % 200)),
  }
  if (i % 3 === 0) return { ...base, type: 'legacy', gasPrice: randomBig(6) }
  if (i % 3 === 1) {
    return {
      ...base,
      type: 'eip2930',
      gasPrice: randomBig(6),
      accessList: [{ address: randomHex(20), storageKeys: [randomHex(32)] }],
    }
  }
  return { ...base, type: 'eip1559', maxFeePerGas: randomBig(6) + 2n, maxPriorityFeePerGas: randomBig(4) }
}

describe('wasm transaction signer', () => {
  it('signs 300 random transactions byte-identically to viem, recoverable to the account', async () => {
    for (let i = 0; i < 300; i++) {
      const key = generatePrivateKey()
      const viemAccount = privateKeyToAccount(key)
      const wasmAccount = withWasmTransactionSigning(privateKeyToAccount(key), key)
      const tx = randomTx(i)
      const ours = await wasmAccount.signTransaction(tx)
      expect(ours).toBe(await viemAccount.signTransaction(tx))
      if (i % 30 === 0) {
        expect(await recoverTransactionAddress({ serializedTransaction: ours as never })).toBe(viemAccount.address)
      }
    }
  })

  it("keeps the address and viem's message signing", async () => {
    const key = generatePrivateKey()
    const account = withWasmTransactionSigning(privateKeyToAccount(key), key)
    expect(account.address).toBe(privateKeyToAccount(key).address)
    expect(await account.signMessage({ message: 'hi' })).toBe(
      await privateKeyToAccount(key).signMessage({ message: 'hi' }),
    )
  })
})
