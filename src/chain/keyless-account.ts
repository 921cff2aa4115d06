// An account known by address only: its "signed" transactions carry a marker, not a signature, for impersonating forks.
import { readFileSync } from 'node:fs'
import {
  getAddress,
  isAddress,
  keccak256,
  parseTransaction,
  serializeTransaction,
  toHex,
  type Address,
  type Hex,
  type LocalAccount,
  type TransactionSerializableEIP1559,
} from 'viem'
import { AppError } from '../errors/app-error.ts'
import { SignerError } from './errors.ts'
import { hardenAccount } from './signer.ts'

/**
 * The `s` of every keyless transaction: a fixed value no real signature will have in practice. `r` carries the
 * sender's address, so a fork proxy can send the transaction as that address through anvil's impersonation.
 */
const KEYLESS_S = keccak256(toHex('airdrops keyless dry-run transaction'))

const refuse = (what: string) => async (): Promise<never> => {
  throw new SignerError('SIGNER_KEYLESS', `wallet has no key: it cannot ${what}`, {
    hint: 'keyless wallets run only in `--dry-run` on a fork; give the wallet a keystore or privateKeyEnv to send live',
  })
}

/**
 * An account for a wallet given by address only. Its `signTransaction` returns a well-formed EIP-1559 transaction
 * whose signature is a marker (r = the address, s = a constant), which no node accepts: only the dry run's fork
 * proxy turns it into an impersonated `eth_sendTransaction`. Message and typed-data signing are refused.
 */
export function keylessAccount(address: Address): LocalAccount {
  const from = getAddress(address)
  const account: LocalAccount = {
    address: from,
    publicKey: '0x',
    source: 'keyless',
    type: 'local',
    sign: refuse('sign a hash'),
    signAuthorization: refuse('sign an authorization'),
    signMessage: refuse('sign a message'),
    signTypedData: refuse('sign typed data'),
    signTransaction: async (tx) => {
      if (tx.type !== 'eip1559')
        throw new SignerError('SIGNER_KEYLESS', `keyless wallet ${from}: only EIP-1559 transactions are supported`)
      return serializeTransaction(tx as TransactionSerializableEIP1559, {
        r: toHex(BigInt(from), { size: 32 }),
        s: KEYLESS_S,
        yParity: 0,
      })
    },
  }
  return hardenAccount(account)
}

/** True for an account made by keylessAccount. */
export function isKeyless(account: Pick<LocalAccount, 'source'>): boolean {
  return account.source === 'keyless'
}

/** The sender and fields of a keyless transaction; undefined for any other (really signed) transaction. */
export function parseKeylessTransaction(raw: Hex): { from: Address; tx: TransactionSerializableEIP1559 } | undefined {
  let tx: ReturnType<typeof parseTransaction>
  try {
    tx = parseTransaction(raw)
  } catch {
    return undefined
  }
  if (tx.type !== 'eip1559' || tx.s === undefined || tx.r === undefined) return undefined
  if (BigInt(tx.s) !== BigInt(KEYLESS_S)) return undefined
  const from = toHex(BigInt(tx.r), { size: 20 })
  return { from: getAddress(from), tx: tx as TransactionSerializableEIP1559 }
}

/**
 * The address of an encrypted JSON keystore, read from its `address` field without the passphrase (geth, ethers
 * and `bot keystore` write it). Throws a typed error when the file or the field is missing.
 */
export function keystoreAddress(path: string): Address {
  let json: { address?: unknown }
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as { address?: unknown }
  } catch (cause) {
    throw new AppError('KEYSTORE_NOT_FOUND', `cannot read keystore ${path}`, {
      cause,
      hint: 'check the wallet keystore path, or give the wallet an `address` for a keyless dry run',
    })
  }
  const raw = typeof json.address === 'string' ? json.address : ''
  const a = raw.startsWith('0x') ? raw : `0x${raw}`
  if (!isAddress(a, { strict: false }))
    throw new AppError('KEYSTORE_NO_ADDRESS', `keystore ${path} has no readable "address" field`, {
      hint: 'give the wallet an `address` in the config for a keyless dry run',
    })
  return getAddress(a)
}
