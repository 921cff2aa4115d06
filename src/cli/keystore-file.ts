// Writes encrypted JSON keystores (Web3 Secret Storage v3, scrypt) with owner-only permissions; never overwrites.
import { Wallet } from 'ethers'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { AppError } from '../errors/app-error.ts'
import type { KeystoreResult } from './services.ts'

/** Default folder for keystores created by `bot keystore`. */
export const DEFAULT_KEYSTORE_DIR = '.state/keystores'

/**
 * Encrypts `privateKey` (or a fresh random key) with `passphrase` and writes it to `out`
 * (default `.state/keystores/<address>.json`, mode 0600). An existing file is never replaced.
 */
export async function writeKeystore(options: { passphrase: string; privateKey?: string; out?: string }): Promise<KeystoreResult> {
  let wallet: Wallet
  try {
    wallet = options.privateKey !== undefined ? new Wallet(options.privateKey) : Wallet.createRandom() as unknown as Wallet
  } catch {
    // ethers' message would quote the key: replace it entirely.
    throw new AppError('KEYSTORE_BAD_KEY', 'the private key is not a valid secp256k1 key', { hint: 'give 32 bytes of hex (64 hex digits, 0x optional)' })
  }
  const json = await wallet.encrypt(options.passphrase)
  const path = resolve(options.out ?? join(DEFAULT_KEYSTORE_DIR, `${wallet.address}.json`))
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  try {
    writeFileSync(path, json, { flag: 'wx', mode: 0o600 })
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') {
      throw new AppError('KEYSTORE_EXISTS', `${path} already exists; refusing to overwrite a keystore`, {
        hint: 'choose another --out path, or move the old file away first',
      })
    }
    throw new AppError('KEYSTORE_WRITE', `cannot write ${path}`, { cause: err, hint: 'check the folder exists and is writable' })
  }
  return { address: wallet.address, path }
}
