// Test fixture: a real anvil, a real SQLite journal in a temp dir, and an engine wired to them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ANVIL_TEST_KEYS, anvilRpc, startAnvil, type AnvilInstance, type AnvilOptions } from '../../src/devnet/anvil.ts'
import { createLogger, type Logger } from '../../src/logging/logger.ts'
import { openDatabase, type Db } from '../../src/store/database.ts'
import {
  createTxEngine,
  type EngineChainConfig,
  type PolicyInput,
  type TxEngine,
  type TxEngineOptions,
  type TxPolicy,
} from '../../src/chain/tx-engine.ts'

/**
 * Test-only policy that allows every call and records what the engine asked; the real guard
 * (createSpendPolicyGuard) has its own tests, and transfers to random test addresses are not allowlisted.
 */
export function recordingPolicy(): TxPolicy & { inputs: PolicyInput[] } {
  const inputs: PolicyInput[] = []
  return {
    inputs,
    check: (input) => {
      inputs.push(input)
    },
  }
}

/** The compiled Target contract (hit(), boom() reverts "boom: not allowed", receive()). */
export const TARGET = JSON.parse(readFileSync(new URL('./fixtures/target.json', import.meta.url), 'utf8')) as {
  abi: Abi
  bytecode: Hex
}

/** A viem client against a URL with the settings anvil needs (no cache, fast polling). */
export function testClient(url: string, chainId: number, timeoutMs = 5_000): PublicClient {
  return createPublicClient({
    chain: defineChain({
      id: chainId,
      name: 'anvil',
      nativeCurrency: { name: 'ETH', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [] } },
    }),
    transport: http(url, { timeout: timeoutMs, retryCount: 0 }),
    cacheTime: 0,
    pollingInterval: 50,
  })
}

/** A logger writing JSON lines into memory, so tests can inspect (and scan for secrets) what was logged. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk))
      cb()
    },
  })
  return { logger: createLogger({ level: 'debug', destination }), lines }
}

/** Everything one engine test needs. */
export interface EngineFixture {
  anvil: AnvilInstance
  dir: string
  dbPath: string
  db: Db
  engine: TxEngine
  client: PublicClient
  logger: Logger
  logLines: string[]
  wallet: Address
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>
  /** Re-creates the engine over a reopened database (a restart), optionally with other chain settings. */
  restart(overrides?: Partial<EngineChainConfig>): TxEngine
  deployTarget(): Promise<Address>
  close(): Promise<void>
}

/** Options of the fixture. */
export interface FixtureOptions {
  anvil?: AnvilOptions
  chain?: Partial<EngineChainConfig>
  /** URL the engine talks to (e.g. a fault proxy); defaults to anvil's. */
  engineUrl?: (anvil: AnvilInstance) => Promise<string> | string
  engine?: Partial<TxEngineOptions>
  keyIndex?: number
  /** Request timeout of the engine's client (default 5 s). */
  clientTimeoutMs?: number
}

/** Starts anvil, opens a fresh journal and builds an engine with fast test timings. */
export async function startEngineFixture(options: FixtureOptions = {}): Promise<EngineFixture> {
  const anvil = await startAnvil(options.anvil)
  const dir = mkdtempSync(join(tmpdir(), 'txengine-'))
  const dbPath = join(dir, 'state.db')
  let db = openDatabase({ path: dbPath })
  const url = options.engineUrl ? await options.engineUrl(anvil) : anvil.rpcUrl
  const client = testClient(url, anvil.chainId, options.clientTimeoutMs)
  const direct = testClient(anvil.rpcUrl, anvil.chainId)
  const { logger, lines } = memoryLogger()
  const account = privateKeyToAccount(ANVIL_TEST_KEYS[options.keyIndex ?? 0]!)
  const policy = recordingPolicy()
  const build = (overrides: Partial<EngineChainConfig> = {}) =>
    createTxEngine({
      db,
      logger,
      signers: [account],
      policy,
      chains: [
        {
          chainId: anvil.chainId,
          client,
          fees: { maxFeePerGas: 100_000_000_000n },
          pollMs: 30,
          rebroadcastMs: 1_000,
          stuckAfterMs: 60_000,
          ...options.chain,
          ...overrides,
        },
      ],
      ...options.engine,
    })
  const fixture: EngineFixture = {
    anvil,
    dir,
    dbPath,
    db,
    client: direct,
    logger,
    logLines: lines,
    wallet: account.address,
    engine: build(),
    rpc: (method, params = []) => anvilRpc(anvil.rpcUrl, method, params),
    restart(overrides) {
      db.close()
      db = openDatabase({ path: dbPath })
      fixture.db = db
      fixture.engine = build(overrides)
      return fixture.engine
    },
    async deployTarget() {
      const wallet = createWalletClient({
        account: privateKeyToAccount(ANVIL_TEST_KEYS[4]),
        chain: direct.chain,
        transport: http(anvil.rpcUrl),
      })
      const hash = await wallet.deployContract({ abi: TARGET.abi, bytecode: TARGET.bytecode, chain: direct.chain })
      const receipt = await direct.waitForTransactionReceipt({ hash, pollingInterval: 20 })
      return receipt.contractAddress as Address
    },
    async close() {
      try {
        db.close()
      } catch {
        /* already closed */
      }
      await anvil.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return fixture
}

/** Every transaction `from` sent, read from the chain's blocks (the ground truth for exactly-once checks). */
export async function minedTxsFrom(
  client: PublicClient,
  from: Address,
): Promise<{ hash: Hex; nonce: number; to: Address | null }[]> {
  const head = await client.getBlockNumber()
  const out: { hash: Hex; nonce: number; to: Address | null }[] = []
  for (let n = 0n; n <= head; n++) {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true })
    for (const tx of block.transactions) {
      if (tx.from.toLowerCase() === from.toLowerCase()) out.push({ hash: tx.hash, nonce: tx.nonce, to: tx.to })
    }
  }
  return out
}

/** A fresh random recipient address. */
export function randomAddress(): Address {
  const bytes = crypto.getRandomValues(new Uint8Array(20))
  return `0x${Buffer.from(bytes).toString('hex')}` as Address
}
