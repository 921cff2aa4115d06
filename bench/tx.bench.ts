// Transfers/s through the full engine (journal + lane + receipts) vs viem sequential and pre-signed raw sends.
// Each round starts a fresh anvil (its speed falls as its chain grows) and runs the three ways back to back;
// the medians over the rounds are reported, so one slow moment of the machine does not decide the ratio. A first
// warm-up round (same work, rates not counted; its lost/duplicated checks are) lets the JIT reach the steady state
// a bot running for weeks is in, for the baselines and the engine alike.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createPublicClient, createWalletClient, defineChain, http, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ANVIL_TEST_KEYS, anvilRpc, startAnvil } from '../src/devnet/anvil.ts'
import { createChainClient } from '../src/chain/clients.ts'
import { accountFromKey } from '../src/chain/signer.ts'
import { createTxEngine } from '../src/chain/tx-engine.ts'
import { createSpendPolicyGuard } from '../src/chain/tx-policy.ts'
import { createLogger } from '../src/logging/logger.ts'
import { openDatabase } from '../src/store/database.ts'

const N = Number(process.env.TX_BENCH_N ?? 600)
const ROUNDS = Number(process.env.TX_BENCH_ROUNDS ?? 3)
const WARMUP = Number(process.env.TX_BENCH_WARMUP ?? 1)
let dbSeq = 0
const dir = mkdtempSync(join(tmpdir(), 'tx-bench-'))
const recipient = (i: number): Address => `0x${(0xbe0000 + i).toString(16).padStart(40, '0')}` as Address
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000 * 10) / 10
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const logger = createLogger({
  level: 'warn',
  destination: new Writable({
    write(_c, _e, cb) {
      cb()
    },
  }),
})

/** One round on a fresh chain: viem sequential, pre-signed raw sends, then the engine with N concurrent jobs. */
async function round(k: number, label = `round ${k + 1}`) {
  const anvil = await startAnvil({ gasLimit: 300_000_000n })
  try {
    const chain = defineChain({
      id: anvil.chainId,
      name: 'anvil',
      nativeCurrency: { name: 'ETH', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [] } },
    })
    const publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl), cacheTime: 0 })

    // 1. viem's plain sequential sendTransaction (it fills nonce, gas and fees itself each time).
    const wallet = createWalletClient({
      account: privateKeyToAccount(ANVIL_TEST_KEYS[1]!),
      chain,
      transport: http(anvil.rpcUrl),
    })
    let t = performance.now()
    for (let i = 0; i < N; i++) await wallet.sendTransaction({ to: recipient(i), value: 1n })
    const viem = rate(N, performance.now() - t)

    // 2. Pre-signed raw transactions sent one at a time.
    const preAccount = privateKeyToAccount(ANVIL_TEST_KEYS[2]!)
    const raws: Hex[] = []
    for (let i = 0; i < N; i++) {
      raws.push(
        await preAccount.signTransaction({
          chainId: anvil.chainId,
          type: 'eip1559',
          nonce: i,
          to: recipient(i),
          value: 1n,
          gas: 21_000n,
          maxFeePerGas: 20_000_000_000n,
          maxPriorityFeePerGas: 1_000_000_000n,
        }),
      )
    }
    t = performance.now()
    for (const raw of raws) await anvilRpc(anvil.rpcUrl, 'eth_sendRawTransaction', [raw])
    const presigned = rate(N, performance.now() - t)

    // 3. The engine: N concurrent jobs from one wallet; each resolves only with its receipt.
    const db = openDatabase({ path: join(dir, `state-${++dbSeq}.db`) })
    // The bot's own signer (accountFromKey), as a configured wallet gets it.
    const engineAccount = accountFromKey(ANVIL_TEST_KEYS[0]!, 'bench key')
    // The production client, with the JSON-RPC batching a chain's `rpcBatchSize` turns on.
    const engineClient = createChainClient({
      chainId: anvil.chainId,
      rpcUrls: [anvil.rpcUrl],
      rpcBatchSize: 256,
      timeoutMs: 30_000,
    })
    const policy = createSpendPolicyGuard([
      {
        chainId: anvil.chainId,
        maxFeePerGas: 100_000_000_000n,
        maxValuePerTx: 10n ** 18n,
        dailyNativeCap: 10n ** 21n,
        dailyTokenCaps: {},
        contracts: [],
        spenders: [],
        ownWallets: Array.from({ length: N }, (_, i) => recipient(N + i)),
      },
    ])
    const engine = createTxEngine({
      db,
      logger,
      signers: [engineAccount],
      policy,
      chains: [
        {
          chainId: anvil.chainId,
          client: engineClient,
          fees: { maxFeePerGas: 100_000_000_000n },
          pollMs: 10,
          rebroadcastMs: 5_000,
        },
      ],
    })
    const start = await publicClient.getTransactionCount({ address: engineAccount.address })
    t = performance.now()
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) =>
        engine.send(
          { chainId: anvil.chainId, to: recipient(N + i), value: 1n },
          { runId: `bench-${i}`, wallet: engineAccount.address },
        ),
      ),
    )
    const engineRate = rate(N, performance.now() - t)
    const ok = results.filter((r) => r.status === 'fulfilled').length
    const mined = (await publicClient.getTransactionCount({ address: engineAccount.address })) - start
    const hashes = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.hash] : [])))
    db.close()
    console.log(
      `${label}: engine ${engineRate} tx/s (${ok}/${N} confirmed, ${mined} mined), viem sequential ${viem} tx/s, ` +
        `pre-signed ${presigned} tx/s, engine/viem = ${Math.round((engineRate / viem) * 100) / 100}x`,
    )
    return {
      engine: engineRate,
      viem,
      presigned,
      lost: N - Math.min(mined, N) + (N - ok),
      duplicated: Math.max(0, mined - N) + (ok - hashes.size),
    }
  } finally {
    await anvil.stop()
  }
}

try {
  const warm = []
  for (let k = 0; k < WARMUP; k++) warm.push(await round(k, `warm-up ${k + 1} (not in the medians)`))
  const rounds = []
  for (let k = 0; k < ROUNDS; k++) rounds.push(await round(k))
  const engine = median(rounds.map((r) => r.engine))
  const viem = median(rounds.map((r) => r.viem))
  const presigned = median(rounds.map((r) => r.presigned))
  const lost = [...warm, ...rounds].reduce((s, r) => s + r.lost, 0)
  const duplicated = [...warm, ...rounds].reduce((s, r) => s + r.duplicated, 0)
  console.log(
    `medians of ${ROUNDS} rounds: engine ${engine} tx/s, viem sequential ${viem} tx/s, pre-signed ${presigned} tx/s, ` +
      `engine/viem = ${Math.round((engine / viem) * 100) / 100}x; lost ${lost}, duplicated ${duplicated}`,
  )
  console.log(
    JSON.stringify({
      bench: 'tx',
      engine_tx_per_s: engine,
      viem_sequential_tx_per_s: viem,
      presigned_tx_per_s: presigned,
      lost,
      duplicated,
    }),
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
