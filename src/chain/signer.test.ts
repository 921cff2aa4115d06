// Signers from env variables and encrypted keystores: usable on anvil, never printing or serializing the key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { privateKeyToAccount } from 'viem/accounts'
import { startAnvil, ANVIL_TEST_KEYS, type AnvilInstance } from '../devnet/anvil.ts'
import { createWalletClient, http } from 'viem'
import { createChainClient, defineBotChain } from './clients.ts'
import { SignerError } from './errors.ts'
import { createKeystore, importKey } from './keystore.ts'
import { loadSigner, signerFromEnv, signerFromKeystore } from './signer.ts'

const KEY = ANVIL_TEST_KEYS[1]
const KEY_BODY = KEY.slice(2)
const FAST = { scryptN: 1024 } // keeps each scrypt run in milliseconds; production uses ethers' default
let anvil: AnvilInstance
let dir: string

async function rejection(p: Promise<unknown>): Promise<SignerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(SignerError)
  return e as SignerError
}

function everyText(e: Error): string {
  return [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 5 })].join('\n')
}

beforeAll(async () => {
  anvil = await startAnvil()
  dir = await mkdtemp(join(tmpdir(), 'signer-test-'))
})
afterAll(async () => {
  await anvil?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('signerFromEnv', () => {
  it('loads the key named by the variable, removes it from the env, and signs a tx anvil accepts', async () => {
    const env: NodeJS.ProcessEnv = { BOT_KEY_A: KEY }
    const account = signerFromEnv('BOT_KEY_A', { env })
    expect(account.address).toBe(privateKeyToAccount(KEY).address)
    expect(env.BOT_KEY_A).toBeUndefined()
    const client = createChainClient({ chainId: 31337, rpcUrls: [anvil.rpcUrl] })
    const raw = await account.signTransaction({
      chainId: 31337,
      type: 'eip1559',
      to: account.address,
      value: 1n,
      gas: 21_000n,
      nonce: 0,
      maxFeePerGas: 20_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    })
    const receipt = await client.waitForTransactionReceipt({
      hash: await client.sendRawTransaction({ serializedTransaction: raw }),
    })
    expect(receipt.status).toBe('success')
    expect(receipt.from.toLowerCase()).toBe(account.address.toLowerCase())
  })

  it('the hardened (frozen) account works with a viem wallet client', async () => {
    const account = signerFromEnv('K', { env: { K: ANVIL_TEST_KEYS[2] } })
    const wallet = createWalletClient({ account, chain: defineBotChain(31337), transport: http(anvil.rpcUrl) })
    const client = createChainClient({ chainId: 31337, rpcUrls: [anvil.rpcUrl] })
    const hash = await wallet.sendTransaction({ to: account.address, value: 1n })
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe('success')
    expect(await wallet.signMessage({ message: 'hi' })).toMatch(/^0x[0-9a-f]{130}$/)
  })

  it('prints and serializes as the address only', () => {
    const account = signerFromEnv('K', { env: { K: KEY_BODY } }) // without 0x works too
    const shown = [
      JSON.stringify(account),
      inspect(account, { depth: 10, showHidden: true }),
      String(account),
      JSON.stringify({ account }),
    ]
    for (const s of shown) {
      expect(s).not.toContain(KEY_BODY)
      expect(s.toLowerCase()).toContain(account.address.slice(2).toLowerCase())
    }
    expect(Object.isFrozen(account)).toBe(true)
  })

  it('keeps the variable when clearEnv is false', () => {
    const env: NodeJS.ProcessEnv = { K: KEY }
    signerFromEnv('K', { env, clearEnv: false })
    expect(env.K).toBe(KEY)
  })

  it('names the variable, never the value, when it is missing or malformed', async () => {
    const missing = await rejection(Promise.resolve().then(() => signerFromEnv('NOPE_KEY', { env: {} })))
    expect(missing.code).toBe('SIGNER_ENV_MISSING')
    expect(missing.message).toContain('NOPE_KEY')
    const bad = `${KEY_BODY.slice(0, 60)}zzzz`
    const invalid = await rejection(Promise.resolve().then(() => signerFromEnv('BAD_KEY', { env: { BAD_KEY: bad } })))
    expect(invalid.code).toBe('SIGNER_KEY_INVALID')
    expect(invalid.message).toContain('BAD_KEY')
    expect(everyText(invalid)).not.toContain(bad)
    // Right shape, but zero is not a valid secp256k1 scalar.
    const zero = await rejection(
      Promise.resolve().then(() => signerFromEnv('ZERO_KEY', { env: { ZERO_KEY: `0x${'0'.repeat(64)}` } })),
    )
    expect(zero.code).toBe('SIGNER_KEY_INVALID')
    expect(invalid.retryable || missing.retryable || zero.retryable).toBe(false)
  })
})

describe('keystores', () => {
  it('createKeystore writes a 0600 file without the plain key and refuses to overwrite it', async () => {
    const path = join(dir, 'new.json')
    const info = await createKeystore(path, 'correct horse battery', FAST)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const loaded = await signerFromKeystore(path, 'PASS', { env: { PASS: 'correct horse battery' } })
    expect(loaded.address).toBe(info.address)
    const again = await rejection(createKeystore(path, 'correct horse battery', FAST))
    expect(again.code).toBe('KEYSTORE_EXISTS')
  })

  it('importKey round-trips a known key through the env passphrase and the prompt callback', async () => {
    const path = join(dir, 'imported.json')
    const info = await importKey(path, KEY, 'import passphrase', FAST)
    expect(info.address).toBe(privateKeyToAccount(KEY).address)
    expect(await readFile(path, 'utf8')).not.toContain(KEY_BODY)
    const env: NodeJS.ProcessEnv = { KS_PASS: 'import passphrase' }
    const viaEnv = await loadSigner({ type: 'keystore', path, passphraseEnvVar: 'KS_PASS' }, { env })
    expect(viaEnv.address).toBe(info.address)
    expect(env.KS_PASS).toBeUndefined()
    let asked = ''
    const viaPrompt = await signerFromKeystore(path, undefined, {
      env: {},
      promptPassphrase: async (p) => {
        asked = p
        return 'import passphrase'
      },
    })
    expect(viaPrompt.address).toBe(info.address)
    expect(asked).toBe(path)
    expect(JSON.stringify(viaPrompt)).not.toContain(KEY_BODY)
  })

  it('maps wrong passphrase, missing passphrase, missing file, loose permissions and junk to typed errors', async () => {
    const path = join(dir, 'guarded.json')
    await importKey(path, KEY, 'the right one!', FAST)
    const wrong = await rejection(signerFromKeystore(path, 'P', { env: { P: 'the wrong one' } }))
    expect(wrong.code).toBe('KEYSTORE_BAD_PASSPHRASE')
    expect(wrong.message).toContain(path)
    expect(everyText(wrong)).not.toContain('the wrong one')
    expect((await rejection(signerFromKeystore(path, 'UNSET', { env: {} }))).code).toBe('KEYSTORE_PASSPHRASE_MISSING')
    expect((await rejection(signerFromKeystore(join(dir, 'absent.json'), 'P', { env: { P: 'x' } }))).code).toBe(
      'KEYSTORE_NOT_FOUND',
    )
    await chmod(path, 0o644)
    const loose = await rejection(signerFromKeystore(path, 'P', { env: { P: 'the right one!' } }))
    expect(loose.code).toBe('KEYSTORE_PERMISSIONS')
    expect(loose.message).toContain('644')
    const junk = join(dir, 'junk.json')
    await importKey(junk, KEY, 'whatever123', FAST)
    const { writeFile } = await import('node:fs/promises')
    await writeFile(junk, '{"not":"a keystore"}')
    expect((await rejection(signerFromKeystore(junk, 'P', { env: { P: 'whatever123' } }))).code).toBe(
      'KEYSTORE_INVALID',
    )
  })

  it('refuses short passphrases and malformed keys on import, without echoing them', async () => {
    expect((await rejection(createKeystore(join(dir, 'short.json'), 'short', FAST))).code).toBe('KEYSTORE_INVALID')
    const bad = await rejection(importKey(join(dir, 'bad.json'), 'deadbeef', 'long enough pass', FAST))
    expect(bad.code).toBe('SIGNER_KEY_INVALID')
    expect(everyText(bad)).not.toContain('deadbeef')
  })
})
