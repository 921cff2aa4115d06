// Canary leak test: a canary private key and a canary RPC API key must never appear in logs, errors or SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { inspect } from 'node:util'
import Database from 'better-sqlite3'
import { privateKeyToAccount } from 'viem/accounts'
import type { Address, Hex, LocalAccount, PublicClient } from 'viem'
import { anvilRpc, startAnvil, ANVIL_TEST_KEYS, type AnvilInstance } from '../../src/devnet/anvil.ts'
import { createLogger, serializeError, type Logger } from '../../src/logging/logger.ts'
import { assertChainId, createChainClient } from '../../src/chain/clients.ts'
import { mapViemError } from '../../src/chain/map-viem-error.ts'
import { importKey } from '../../src/chain/keystore.ts'
import { signerFromEnv, signerFromKeystore } from '../../src/chain/signer.ts'
import { estimateFees } from '../../src/chain/fees.ts'
import { checkSpendPolicy } from '../../src/chain/spend-policy.ts'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'
import { REVERTER_ABI, REVERTER_BYTECODE } from '../helpers/reverter-contract.ts'

// Fresh canaries per run, so a hit can only come from this run's code paths.
const CANARY_KEY = `0x${randomBytes(32).toString('hex')}` as Hex
const CANARY_KEY_BODY = CANARY_KEY.slice(2)
const CANARY_API_KEY = `CANARYKEY${randomBytes(12).toString('hex')}`
const CANARY_PASSPHRASE = `CANARYPASS${randomBytes(8).toString('hex')}`
const KEY_VAR = 'LEAKTEST_BOT_KEY'
const CANARIES = [CANARY_KEY_BODY, CANARY_API_KEY, CANARY_PASSPHRASE]

let anvil: AnvilInstance
let wrongChain: AnvilInstance
let proxy: FaultProxy
let dir: string
let logLines: string[]
let logger: Logger
let signer: LocalAccount
let client: PublicClient
let reverter: Address
/** Every error the scenarios produced, raw (from viem) and mapped, for the checks at the end. */
const rawErrors: unknown[] = []
const mappedErrors: Error[] = []

/** Case-insensitive search: hex may be printed in either case. */
function findCanaries(text: string): string[] {
  const t = text.toLowerCase()
  return CANARIES.filter((c) => t.includes(c.toLowerCase()))
}

/** Runs a failing step the way the engine will: map the error, log both the mapped and the raw one. */
async function scenario(
  name: string,
  step: () => Promise<unknown>,
  opts: { broadcast?: boolean } = {},
): Promise<Error> {
  try {
    await step()
  } catch (err) {
    rawErrors.push(err)
    const mapped =
      err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string'
        ? err
        : mapViemError(err, { broadcast: opts.broadcast, chainId: 31337 })
    mappedErrors.push(mapped)
    logger.error(
      { err: mapped, scenario: name, rpcUrl: proxy.url, account: signer },
      `step ${name} failed via ${proxy.url}`,
    )
    logger.warn({ err, scenario: name, raw: true }, 'raw viem error')
    logger.warn(
      { failure: err, endpoint: proxy.url, nested: { cause: err, urls: [proxy.url] } },
      'raw error under an unusual key',
    )
    return mapped
  }
  throw new Error(`scenario ${name} was expected to fail`)
}

beforeAll(async () => {
  ;[anvil, wrongChain] = await Promise.all([startAnvil(), startAnvil({ chainId: 777 })])
  proxy = await startFaultProxy({ target: anvil.rpcUrl, path: `/v3/${CANARY_API_KEY}`, seed: 3 })
  dir = await mkdtemp(join(tmpdir(), 'canary-leak-'))
  logLines = []
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk))
      cb()
    },
  })
  logger = createLogger({ level: 'trace', destination: sink })
  process.env[KEY_VAR] = CANARY_KEY
  signer = signerFromEnv(KEY_VAR)
  client = createChainClient({ chainId: 31337, rpcUrls: [proxy.url], retryCount: 0 })
  // Deploy the reverting contract with a funded anvil key (not the canary).
  const deployer = privateKeyToAccount(ANVIL_TEST_KEYS[4])
  const direct = createChainClient({ chainId: 31337, rpcUrls: [anvil.rpcUrl] })
  const raw = await deployer.signTransaction({
    chainId: 31337,
    type: 'eip1559',
    data: REVERTER_BYTECODE,
    gas: 500_000n,
    nonce: 0,
    maxFeePerGas: 20_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  })
  reverter = (
    await direct.waitForTransactionReceipt({ hash: await direct.sendRawTransaction({ serializedTransaction: raw }) })
  ).contractAddress!
})

afterAll(async () => {
  delete process.env[KEY_VAR]
  await proxy?.close()
  await Promise.all([anvil?.stop(), wrongChain?.stop()])
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('canary key and canary RPC API key', () => {
  it('the key variable is consumed and the account prints as its address only', () => {
    expect(process.env[KEY_VAR]).toBeUndefined()
    logger.info({ signer, account: signer, accounts: [signer] }, `loaded signer ${String(signer)} ${inspect(signer)}`)
    expect(findCanaries(JSON.stringify(signer) + inspect(signer, { showHidden: true, depth: 20 }))).toEqual([])
  })

  it('runs failing scenarios: bad RPC, 429, 5xx, timeout, revert, insufficient funds, wrong chain, bad key, bad passphrase', async () => {
    const gas = {
      chainId: 31337,
      type: 'eip1559' as const,
      gas: 21_000n,
      maxFeePerGas: 20_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    }
    // Unfunded canary wallet: insufficient funds at broadcast.
    const poorTx = await signer.signTransaction({ ...gas, to: signer.address, value: 1n, nonce: 0 })
    await scenario('insufficient-funds', () => client.sendRawTransaction({ serializedTransaction: poorTx }), {
      broadcast: true,
    })
    // Revert with a reason, through the canary URL.
    await scenario('revert', () =>
      client.simulateContract({ account: signer.address, address: reverter, abi: REVERTER_ABI, functionName: 'fail' }),
    )
    // Dead RPCs with the API key in the path, the query and basic auth.
    for (const url of [
      `http://127.0.0.1:9/v3/${CANARY_API_KEY}`,
      `http://127.0.0.1:9/?apikey=${CANARY_API_KEY}`,
      `http://user:${CANARY_API_KEY}@127.0.0.1:9/`,
    ]) {
      const dead = createChainClient({ chainId: 31337, rpcUrls: [url], retryCount: 0 })
      await scenario('bad-rpc', () => dead.getBlockNumber())
      await scenario('bad-rpc-chain-id', () => assertChainId(dead, 31337))
      await scenario('bad-rpc-broadcast', () => dead.sendRawTransaction({ serializedTransaction: poorTx }), {
        broadcast: true,
      })
    }
    // Proxy faults on the canary URL.
    const r429 = proxy.addRule({ fault: { kind: 'http', status: 429 } })
    await scenario('rate-limit', () => client.getBlockNumber())
    await scenario('rate-limit-fees', () => estimateFees(client))
    r429()
    const r503 = proxy.addRule({ fault: { kind: 'http', status: 503 } })
    await scenario('http-503', () => client.sendRawTransaction({ serializedTransaction: poorTx }), { broadcast: true })
    r503()
    const rSlow = proxy.addRule({ fault: { kind: 'delay', ms: 800 } })
    const impatient = createChainClient({ chainId: 31337, rpcUrls: [proxy.url], retryCount: 0, timeoutMs: 200 })
    await scenario('timeout', () => impatient.getChainId())
    rSlow()
    const rRpc = proxy.addRule({
      fault: { kind: 'rpc-error', code: -32000, message: `upstream said: key ${CANARY_API_KEY} rejected` },
    })
    await scenario('echoing-node', () => client.getBlockNumber())
    rRpc()
    // Wrong chain id behind a URL carrying the key (the proxy in front of a 777 node).
    const wrongProxy = await startFaultProxy({ target: wrongChain.rpcUrl, path: `/v3/${CANARY_API_KEY}` })
    try {
      const misrouted = createChainClient({ chainId: 31337, rpcUrls: [wrongProxy.url] })
      const e = await scenario('wrong-chain', () => assertChainId(misrouted, 31337))
      expect((e as { code?: string }).code).toBe('CHAIN_ID_MISMATCH')
    } finally {
      await wrongProxy.close()
    }
    // A malformed key in the env (the canary with one character changed) and a keystore with a wrong passphrase.
    process.env.LEAKTEST_BAD_KEY = `${CANARY_KEY.slice(0, 65)}z`
    await scenario('bad-key', async () => signerFromEnv('LEAKTEST_BAD_KEY'))
    const ks = join(dir, 'canary.json')
    await importKey(ks, CANARY_KEY, CANARY_PASSPHRASE, { scryptN: 1024 })
    process.env.LEAKTEST_PASS = `${CANARY_PASSPHRASE}-wrong`
    await scenario('bad-passphrase', () => signerFromKeystore(ks, 'LEAKTEST_PASS'))
    await chmod(ks, 0o644)
    process.env.LEAKTEST_PASS = CANARY_PASSPHRASE
    await scenario('loose-keystore', () => signerFromKeystore(ks, 'LEAKTEST_PASS'))
    // A spend-policy refusal for the canary wallet.
    await scenario('policy', async () =>
      checkSpendPolicy(
        {
          chainId: 31337,
          maxFeePerGas: 1n,
          maxValuePerTx: 0n,
          dailyNativeCap: 0n,
          dailyTokenCaps: {},
          contracts: [],
          spenders: [],
        },
        { chainId: 31337, from: signer.address, to: reverter, value: 1n, gasLimit: 21_000n, maxFeePerGas: 2n },
        { balance: 0n, spentToday: { native: 0n, tokens: {} } },
      ),
    )
    expect(mappedErrors.length).toBeGreaterThanOrEqual(20)
    const codes = new Set(mappedErrors.map((e) => (e as { code?: string }).code))
    for (const c of [
      'INSUFFICIENT_FUNDS',
      'EXECUTION_REVERTED',
      'RPC_UNAVAILABLE',
      'RPC_RATE_LIMITED',
      'RPC_HTTP',
      'RPC_TIMEOUT',
      'CHAIN_ID_MISMATCH',
      'SIGNER_KEY_INVALID',
      'KEYSTORE_BAD_PASSPHRASE',
      'KEYSTORE_PERMISSIONS',
      'POLICY_MAX_FEE',
    ]) {
      expect(codes).toContain(c)
    }
  })

  it('finds no canary in any mapped error: message, stack, JSON, inspect (with causes)', () => {
    expect(mappedErrors.length).toBeGreaterThan(0)
    for (const e of mappedErrors) {
      const text = [
        e.message,
        e.stack ?? '',
        JSON.stringify(e),
        inspect(e, { depth: 20, showHidden: true }),
        String((e.cause as Error | undefined)?.stack),
      ].join('\n')
      expect(findCanaries(text), `${e.name}: ${e.message}`).toEqual([])
    }
  })

  it('raw viem errors DO carry the API key (so the check above is meaningful), and serializeError removes it', () => {
    const rawText = rawErrors.map((e) => (e instanceof Error ? `${e.message}\n${e.stack}` : String(e))).join('\n')
    expect(findCanaries(rawText)).toContain(CANARY_API_KEY)
    for (const e of rawErrors) expect(findCanaries(JSON.stringify(serializeError(e)))).toEqual([])
  })

  it('finds no canary in the captured logger output', () => {
    const out = logLines.join('')
    expect(logLines.length).toBeGreaterThan(60)
    expect(out).toContain('RPC_RATE_LIMITED') // the log really holds the errors
    expect(findCanaries(out)).toEqual([])
  })

  it('finds no canary in a SQLite file holding errors, accounts, signed transactions and the URL-bearing config', async () => {
    const path = join(dir, 'state.db')
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, body TEXT)')
    const ins = db.prepare('INSERT INTO events (kind, body) VALUES (?, ?)')
    for (const e of mappedErrors) ins.run('error', JSON.stringify(e))
    for (const e of rawErrors) ins.run('raw-error', JSON.stringify(serializeError(e)))
    ins.run('account', JSON.stringify(signer))
    ins.run(
      'signed-tx',
      await signer.signTransaction({
        chainId: 31337,
        type: 'eip1559',
        to: signer.address,
        value: 1n,
        nonce: 7,
        gas: 21_000n,
        maxFeePerGas: 1n,
        maxPriorityFeePerGas: 1n,
      }),
    )
    ins.run('log', logLines.join(''))
    // Before the WAL is checkpointed the data sits in -wal; scan every file SQLite wrote.
    const scanned = await scanDir(dir, /state\.db/)
    db.close()
    const afterClose = await scanDir(dir, /state\.db/)
    expect(scanned.bytes + afterClose.bytes).toBeGreaterThan(4096)
    expect([...scanned.hits, ...afterClose.hits]).toEqual([])
  })

  it('the canary detector does fire on a leak (control)', async () => {
    await writeFile(join(dir, 'control.db'), `junk ${CANARY_KEY.toUpperCase()} junk`)
    expect((await scanDir(dir, /control\.db/)).hits).toEqual([CANARY_KEY_BODY])
    // The passphrase is never registered as a secret, so this plain-text line really leaks it: the detector must see it.
    logger.info(`control line ${CANARY_PASSPHRASE}`)
    expect(findCanaries(logLines.at(-1) ?? '')).toEqual([CANARY_PASSPHRASE])
    await anvilRpc(anvil.rpcUrl, 'eth_chainId') // the node is still up: the scenarios did not pass because it died
  })
})

async function scanDir(d: string, name: RegExp): Promise<{ hits: string[]; bytes: number }> {
  const hits: string[] = []
  let bytes = 0
  for (const f of await readdir(d)) {
    if (!name.test(f)) continue
    const buf = await readFile(join(d, f))
    bytes += buf.length
    hits.push(...findCanaries(buf.toString('latin1')))
  }
  return { hits, bytes }
}
