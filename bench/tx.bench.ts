// Transfers/s through the full engine (journal + lane + receipts) vs viem sequential and pre-signed raw sends.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createPublicClient, createWalletClient, defineChain, http, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ANVIL_TEST_KEYS, anvilRpc, startAnvil } from '../scripts/anvil.ts'
import { createTxEngine } from '../src/chain/tx-engine.ts'
import { createSpendPolicyGuard } from '../src/chain/tx-policy.ts'
import { createLogger } from '../src/logging/logger.ts'
import { openDatabase } from '../src/store/database.ts'

const N = Number(process.env.TX_BENCH_N ?? 600)
const anvil = await startAnvil({ gasLimit: 300_000_000n })
const chain = defineChain({ id: anvil.chainId, name: 'anvil', nativeCurrency: { name: 'ETH', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [] } } })
const dir = mkdtempSync(join(tmpdir(), 'tx-bench-'))
const recipient = (i: number): Address => `0x${(0xbe0000 + i).toString(16).padStart(40, '0')}` as Address
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000 * 10) / 10

try {
  const publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl), cacheTime: 0 })

  // 1. viem's plain sequential sendTransaction (it fills nonce, gas and fees itself each time).
  const viemAccount = privateKeyToAccount(ANVIL_TEST_KEYS[1]!)
  const wallet = createWalletClient({ account: viemAccount, chain, transport: http(anvil.rpcUrl) })
  let t = performance.now()
  for (let i = 0; i < N; i++) await wallet.sendTransaction({ to: recipient(i), value: 1n })
  const viemSequential = rate(N, performance.now() - t)

  // 2. Pre-signed raw transactions sent one at a time.
  const preAccount = privateKeyToAccount(ANVIL_TEST_KEYS[2]!)
  const raws: Hex[] = []
  for (let i = 0; i < N; i++) {
    raws.push(await preAccount.signTransaction({ chainId: anvil.chainId, type: 'eip1559', nonce: i, to: recipient(i),
      value: 1n, gas: 21_000n, maxFeePerGas: 20_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n }))
  }
  t = performance.now()
  for (const raw of raws) await anvilRpc(anvil.rpcUrl, 'eth_sendRawTransaction', [raw])
  const presigned = rate(N, performance.now() - t)

  // 3. The engine: N concurrent jobs from one wallet; each resolves only with its receipt.
  const db = openDatabase({ path: join(dir, 'state.db') })
  const logger = createLogger({ level: 'warn', destination: new Writable({ write(_c, _e, cb) { cb() } }) })
  const engineAccount = privateKeyToAccount(ANVIL_TEST_KEYS[0]!)
  const engineClient = createPublicClient({ chain, cacheTime: 0,
    transport: http(anvil.rpcUrl, { batch: { batchSize: 256, wait: 0 }, timeout: 30_000 }) })
  const policy = createSpendPolicyGuard([{ chainId: anvil.chainId, maxFeePerGas: 100_000_000_000n, maxValuePerTx: 10n ** 18n,
    dailyNativeCap: 10n ** 21n, dailyTokenCaps: {}, contracts: [], spenders: [],
    ownWallets: Array.from({ length: N }, (_, i) => recipient(N + i)) }])
  const engine = createTxEngine({ db, logger, signers: [engineAccount], policy, chains: [{ chainId: anvil.chainId,
    client: engineClient, fees: { maxFeePerGas: 100_000_000_000n }, pollMs: 10, rebroadcastMs: 5_000 }] })
  const start = await publicClient.getTransactionCount({ address: engineAccount.address })
  t = performance.now()
  const results = await Promise.allSettled(Array.from({ length: N }, (_, i) =>
    engine.send({ chainId: anvil.chainId, to: recipient(N + i), value: 1n }, { runId: `bench-${i}`, wallet: engineAccount.address })))
  const engineRate = rate(N, performance.now() - t)
  const ok = results.filter((r) => r.status === 'fulfilled').length
  const end = await publicClient.getTransactionCount({ address: engineAccount.address })
  const mined = end - start
  const hashes = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.hash] : [])))
  const lost = N - Math.min(mined, N) + (N - ok)
  const duplicated = Math.max(0, mined - N) + (ok - hashes.size)
  db.close()
  console.log(`engine ${engineRate} tx/s (${ok}/${N} confirmed, ${mined} mined), viem sequential ${viemSequential} tx/s, `
    + `pre-signed ${presigned} tx/s, engine/viem = ${Math.round((engineRate / viemSequential) * 100) / 100}x`)
  console.log(JSON.stringify({ bench: 'tx', engine_tx_per_s: engineRate, viem_sequential_tx_per_s: viemSequential,
    presigned_tx_per_s: presigned, lost, duplicated }))
} finally {
  await anvil.stop()
  rmSync(dir, { recursive: true, force: true })
}
