// Writes encrypted JSON keystores (Web3 Secret Storage v3: scrypt + aes-128-ctr) with owner-only permissions.
import { createCipheriv, randomBytes, randomUUID, scrypt } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { keccak256 } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { AppError } from '../errors/app-error.ts'
import type { KeystoreResult } from '../bot/services.ts'

/** Default folder for keystores created by `bot keystore`. */
export const DEFAULT_KEYSTORE_DIR = '.state/keystores'
/** scrypt cost as geth and ethers use by default ("standard" strength). */
const SCRYPT = { N: 131_072, r: 8, p: 1, dklen: 32 }
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((res, rej) => {
    // node's native scrypt (OpenSSL) is ~10x faster than a JS one; maxmem must fit 128 * N * r bytes.
    scrypt(
      passphrase.normalize('NFKC'),
      salt,
      SCRYPT.dklen,
      { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 256 * 1024 * 1024 },
      (err, key) => (err ? rej(err) : res(key)),
    )
  })
}

/** Encrypts a 32-byte private key into a v3 keystore JSON string (readable by geth, ethers, foundry). */
export async function encryptKeystore(
  privateKey: `0x${string}`,
  passphrase: string,
): Promise<{ json: string; address: string }> {
  const keyBytes = Buffer.from(privateKey.slice(2), 'hex')
  const k = BigInt(privateKey)
  if (keyBytes.length !== 32 || k === 0n || k >= SECP256K1_N) {
    // Never quote the value: it is (almost) a key.
    throw new AppError('KEYSTORE_BAD_KEY', 'the private key is not a valid secp256k1 key', {
      hint: 'give 32 bytes of hex (64 hex digits, 0x optional)',
    })
  }
  const address = privateKeyToAddress(privateKey)
  const salt = randomBytes(32)
  const iv = randomBytes(16)
  const derived = await deriveKey(passphrase, salt)
  const cipher = createCipheriv('aes-128-ctr', derived.subarray(0, 16), iv)
  const ciphertext = Buffer.concat([cipher.update(keyBytes), cipher.final()])
  const mac = keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])).slice(2)
  const json = JSON.stringify({
    version: 3,
    id: randomUUID(),
    address: address.slice(2).toLowerCase(),
    crypto: {
      cipher: 'aes-128-ctr',
      cipherparams: { iv: iv.toString('hex') },
      ciphertext: ciphertext.toString('hex'),
      kdf: 'scrypt',
      kdfparams: { dklen: SCRYPT.dklen, salt: salt.toString('hex'), n: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p },
      mac,
    },
  })
  return { json, address }
}

/**
 * Encrypts `privateKey` (or a fresh random key) with `passphrase` and writes it to `out`
 * (default `.state/keystores/<address>.json`, mode 0600). An existing file is never replaced.
 */
export async function writeKeystore(options: {
  passphrase: string
  privateKey?: string
  out?: string
}): Promise<KeystoreResult> {
  const raw = options.privateKey ?? `0x${randomBytes(32).toString('hex')}`
  const hex = (raw.startsWith('0x') ? raw : `0x${raw}`) as `0x${string}`
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new AppError('KEYSTORE_BAD_KEY', 'the private key is not 32 bytes of hex', {
      hint: 'give 64 hex digits, 0x optional',
    })
  }
  // Refuse before the slow scrypt when the target is known; the exclusive open below still guards the race.
  if (options.out !== undefined && existsSync(options.out)) throw exists(resolve(options.out))
  const { json, address } = await encryptKeystore(hex, options.passphrase)
  const path = resolve(options.out ?? join(DEFAULT_KEYSTORE_DIR, `${address}.json`))
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  try {
    writeFileSync(path, json, { flag: 'wx', mode: 0o600 })
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') throw exists(path)
    throw new AppError('KEYSTORE_WRITE', `cannot write ${path}`, {
      cause: err,
      hint: 'check the folder exists and is writable',
    })
  }
  return { address, path }
}

function exists(path: string): AppError {
  return new AppError('KEYSTORE_EXISTS', `${path} already exists; refusing to overwrite a keystore`, {
    hint: 'choose another --out path, or move the old file away first',
  })
}
