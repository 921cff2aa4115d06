// Encrypted JSON keystores (ethers 6, scrypt): create, import, decrypt; files are written with mode 0600.
import { randomBytes } from 'node:crypto'
import { open, readFile, stat, unlink } from 'node:fs/promises'
import { Wallet, encryptKeystoreJson, isKeystoreJson, type KeystoreAccount } from 'ethers'
import { SignerError } from './errors.ts'

/** Options for writing a keystore. */
export interface WriteKeystoreOptions {
  /** scrypt N (cost); ethers' default 131072. Tests lower it; production should not. */
  scryptN?: number
}

/** What a keystore write returns: the address only, never the key. */
export interface KeystoreInfo {
  address: string
  path: string
}

const KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/

/**
 * Generates a new random key, encrypts it with `passphrase` and writes it to `path` (mode 0600, never
 * overwriting an existing file). For `bot keystore new`; the passphrase comes from the CLI prompt.
 */
export async function createKeystore(
  path: string,
  passphrase: string,
  options: WriteKeystoreOptions = {},
): Promise<KeystoreInfo> {
  // A raw random key, not Wallet.createRandom(): that derives through a mnemonic (slow, and a second secret).
  return writeKeystore(path, `0x${randomBytes(32).toString('hex')}`, passphrase, options)
}

/** Encrypts an existing private key into a keystore file at `path` (mode 0600, no overwrite). For `bot keystore import`. */
export async function importKey(
  path: string,
  privateKey: string,
  passphrase: string,
  options: WriteKeystoreOptions = {},
): Promise<KeystoreInfo> {
  if (!KEY_RE.test(privateKey.trim())) {
    throw new SignerError('SIGNER_KEY_INVALID', 'the key to import is not a 32-byte hex private key', {
      hint: 'paste 64 hex characters, optionally prefixed with 0x',
    })
  }
  const key = privateKey.trim().startsWith('0x') ? privateKey.trim() : `0x${privateKey.trim()}`
  return writeKeystore(path, key, passphrase, options)
}

async function writeKeystore(
  path: string,
  privateKey: string,
  passphrase: string,
  options: WriteKeystoreOptions,
): Promise<KeystoreInfo> {
  if (passphrase.length < 8) {
    throw new SignerError(
      'KEYSTORE_INVALID',
      `refusing to write keystore ${path} with a passphrase shorter than 8 characters`,
      {
        hint: 'choose a longer passphrase',
      },
    )
  }
  let wallet: Wallet
  try {
    wallet = new Wallet(privateKey)
  } catch {
    throw new SignerError('SIGNER_KEY_INVALID', 'the key to import is not a valid secp256k1 private key')
  }
  const account: KeystoreAccount = { address: wallet.address, privateKey: wallet.privateKey }
  const json = await encryptKeystoreJson(account, passphrase, options.scryptN ? { scrypt: { N: options.scryptN } } : {})
  let handle
  try {
    // 'wx' fails if the file exists; mode applies at creation so the key is never briefly world-readable.
    handle = await open(path, 'wx', 0o600)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      throw new SignerError('KEYSTORE_EXISTS', `keystore ${path} already exists; refusing to overwrite it`, {
        hint: 'choose another path or move the old file away first',
      })
    }
    throw new SignerError('KEYSTORE_INVALID', `cannot create keystore ${path} (${code ?? 'error'})`, {
      hint: 'check that the directory exists and is writable',
    })
  }
  try {
    await handle.chmod(0o600)
    await handle.writeFile(json, 'utf8')
    await handle.sync()
  } catch (err) {
    await handle.close()
    await unlink(path).catch(() => undefined)
    throw new SignerError(
      'KEYSTORE_INVALID',
      `writing keystore ${path} failed (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    )
  }
  await handle.close()
  return { address: wallet.address, path }
}

/**
 * Reads and decrypts a keystore file; returns the 0x private key. Refuses files readable by group or others
 * (like ssh does) and maps a wrong passphrase to KEYSTORE_BAD_PASSPHRASE. Errors name the file only.
 */
export async function decryptKeystoreFile(path: string, passphrase: string): Promise<string> {
  let mode: number
  let json: string
  try {
    mode = (await stat(path)).mode
    json = await readFile(path, 'utf8')
  } catch {
    throw new SignerError('KEYSTORE_NOT_FOUND', `keystore ${path} cannot be read`, {
      hint: 'check the keystore path in the config, or create one with `bot keystore new`',
    })
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new SignerError(
      'KEYSTORE_PERMISSIONS',
      `keystore ${path} is readable by other users (mode ${(mode & 0o777).toString(8)})`,
      {
        hint: `run: chmod 600 ${path}`,
      },
    )
  }
  if (!isKeystoreJson(json)) {
    throw new SignerError('KEYSTORE_INVALID', `keystore ${path} is not an encrypted JSON keystore`, {
      hint: 'point the config at a file created by `bot keystore new` or `bot keystore import`',
    })
  }
  try {
    const wallet = await Wallet.fromEncryptedJson(json, passphrase)
    return wallet.privateKey
  } catch (err) {
    const msg = err instanceof Error ? err.message : ''
    if (/incorrect password|invalid password/i.test(msg)) {
      throw new SignerError('KEYSTORE_BAD_PASSPHRASE', `wrong passphrase for keystore ${path}`, {
        hint: 'check the passphrase variable or retype it',
      })
    }
    throw new SignerError('KEYSTORE_INVALID', `keystore ${path} could not be decrypted (corrupt or unsupported)`, {
      hint: 'restore the file from a backup',
    })
  }
}
