// Loads a signing account from a named environment variable or an encrypted keystore, never exposing the key.
import { inspect } from 'node:util'
import { privateKeyToAccount, type LocalAccount } from 'viem/accounts'
import type { Hex } from 'viem'
import { SignerError } from './errors.ts'
import { decryptKeystoreFile } from './keystore.ts'
import { withWasmTransactionSigning } from './wasm-tx-signer.ts'

/** Where a signer's key comes from; config holds only names and paths, never key material. */
export type SignerSource =
  { type: 'env'; envVar: string } | { type: 'keystore'; path: string; passphraseEnvVar?: string }

/** Options for loading a signer. */
export interface LoadSignerOptions {
  /** Environment to read; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv
  /**
   * Remove the variable from the environment after reading it (default true), so child processes (anvil,
   * helpers) never inherit the key.
   */
  clearEnv?: boolean
  /** Asks the operator for a keystore passphrase when no passphrase variable is set (e.g. a TTY prompt). */
  promptPassphrase?: (path: string) => Promise<string>
}

const KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/

/**
 * Builds a LocalAccount from a private key held in the environment variable `envVar`. Errors name the variable
 * and never its value. The returned account prints and serializes as its address only.
 */
export function signerFromEnv(envVar: string, options: LoadSignerOptions = {}): LocalAccount {
  const env = options.env ?? process.env
  const raw = env[envVar]
  if (raw === undefined || raw.trim() === '') {
    throw new SignerError('SIGNER_ENV_MISSING', `environment variable ${envVar} is not set or empty`, {
      hint: `export ${envVar}=<private key> in the bot's environment (never in the config file)`,
    })
  }
  if (options.clearEnv ?? true) delete env[envVar]
  return accountFromKey(raw.trim(), `environment variable ${envVar}`)
}

/**
 * Decrypts the keystore at `path` (scrypt, asynchronous) and returns its account. The passphrase comes from the
 * environment variable `passphraseEnvVar` or, if that is not set, from `promptPassphrase`; never an argument.
 */
export async function signerFromKeystore(
  path: string,
  passphraseEnvVar: string | undefined,
  options: LoadSignerOptions = {},
): Promise<LocalAccount> {
  const env = options.env ?? process.env
  let passphrase = passphraseEnvVar ? env[passphraseEnvVar] : undefined
  if (passphrase !== undefined && passphraseEnvVar && (options.clearEnv ?? true)) delete env[passphraseEnvVar]
  if (passphrase === undefined && options.promptPassphrase) passphrase = await options.promptPassphrase(path)
  if (passphrase === undefined) {
    throw new SignerError('KEYSTORE_PASSPHRASE_MISSING', `no passphrase for keystore ${path}`, {
      hint: passphraseEnvVar
        ? `set ${passphraseEnvVar} or run interactively to be prompted`
        : 'configure a passphrase environment variable or run interactively to be prompted',
    })
  }
  const key = await decryptKeystoreFile(path, passphrase)
  return accountFromKey(key, `keystore ${path}`)
}

/** Loads a signer from a config source (env variable or keystore file). */
export async function loadSigner(source: SignerSource, options: LoadSignerOptions = {}): Promise<LocalAccount> {
  if (source.type === 'env') return signerFromEnv(source.envVar, options)
  return signerFromKeystore(source.path, source.passphraseEnvVar, options)
}

/**
 * Wraps viem's privateKeyToAccount (transactions signed on libsecp256k1): the key stays in closures; the account is frozen and gets
 * non-enumerable `toJSON`/inspect that print only the address, so logging or serializing it is harmless.
 */
export function accountFromKey(key: string, where: string): LocalAccount {
  if (!KEY_RE.test(key)) {
    throw new SignerError('SIGNER_KEY_INVALID', `${where} does not hold a 32-byte hex private key`, {
      hint: 'the value must be 64 hex characters, optionally prefixed with 0x',
    })
  }
  const hex = (key.startsWith('0x') ? key : `0x${key}`) as Hex
  let account: LocalAccount
  try {
    account = withWasmTransactionSigning(privateKeyToAccount(hex), hex)
  } catch {
    // Deliberately no cause: library errors may echo the key.
    throw new SignerError('SIGNER_KEY_INVALID', `${where} holds an invalid private key (out of the curve range)`, {
      hint: 'generate a new key with `bot keystore new`',
    })
  }
  return hardenAccount(account)
}

/** Makes an account print and serialize as its address only, and freezes it. */
export function hardenAccount<A extends LocalAccount>(account: A): A {
  const label = `LocalAccount(${account.address})`
  Object.defineProperty(account, 'toJSON', { value: () => ({ address: account.address }), enumerable: false })
  Object.defineProperty(account, inspect.custom, { value: () => label, enumerable: false })
  Object.defineProperty(account, 'toString', { value: () => label, enumerable: false })
  return Object.freeze(account)
}
