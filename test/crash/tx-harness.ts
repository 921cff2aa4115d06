// Crash harness: SIGKILLs a child sending a stream of transactions at random send steps, then checks exactly-once.
import { spawnTied } from './spawn-tied.ts'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { build } from 'esbuild'
import { createPublicClient, defineChain, http, type Address, type Hex, type PublicClient } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { anvilRpc } from '../../src/devnet/anvil.ts'
import type { SendStep } from '../../src/chain/nonce-lane.ts'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'
import { watchProgress } from './progress-watchdog.ts'
import { startSoakChain } from './soak-chain.ts'
import { crashJob } from './tx-child.ts'

/** Options of one harness run. */
export interface TxCrashOptions {
  /** SIGKILLs to inflict (each on a fresh child). */
  kills: number
  /** Jobs per stream (default 2 x kills / streams + 10, so children are still sending when killed). */
  jobs?: number
  /** Independent wallets (each with its own journal and child) killed side by side (default 3). */
  streams?: number
  /** Seed of the kill schedule (default random). */
  seed?: number
  /** Restart the chain from a pruned state dump every this many blocks (default 2,000; 0: never). */
  restartEveryBlocks?: number
  /** A child whose journal, chain nonce and finished jobs all stay unchanged this long is hung (default 60 s). */
  hangAfterMs?: number
  log?: (line: string) => void
}

/** What the harness found; `problems` is empty when every invariant held. */
export interface TxCrashReport {
  kills: number
  killsByStep: Record<string, number>
  childRuns: number
  jobs: number
  minedTxs: number
  finalNonce: number
  integrity: string
  /** Chain restarts from a pruned dump, the txs they dropped from the pool, and the empty blocks pruned. */
  chainRestarts: number
  droppedAtRestart: number
  prunedBlocks: number
  /** Children that ran past 30 s while still progressing (a loaded machine, not a failure). */
  slowChildren: number
  /** Children stopped for lack of any progress (each is also a problem). */
  hungChildren: number
  problems: string[]
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const STEPS: (SendStep | 'timer')[] = ['signed', 'journaled', 'broadcast', 'awaiting_receipt', 'timer']

/** Bundles the child once (node starts a bundle in ~0.4 s instead of ~3 s through tsx). */
async function bundleChild(): Promise<string> {
  const outDir = join(ROOT, '.tmp')
  mkdirSync(outDir, { recursive: true })
  const outfile = join(outDir, `tx-child-${process.pid}.mjs`)
  await build({
    entryPoints: [join(ROOT, 'test', 'crash', 'tx-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['better-sqlite3'],
    logLevel: 'error',
    minify: true,
    // Migrations are read from the source tree, where database.ts lives.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(ROOT, 'src', 'store', 'database.ts')).href) },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(process.cwd() + '/');" },
  })
  return outfile
}

/** A small deterministic PRNG so a failing schedule can be replayed with its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Runs the crash suite: anvil with a harness-driven miner (restarted from pruned dumps), `kills` children each SIGKILLed at
 * a step of the send path (after sign, after journal write, after broadcast, before receipt) or at a random
 * time, then one child that must finish every job. Checks: at most one mined tx per intent, exactly one per
 * (wallet, nonce), no nonce gap, every job confirmed, integrity_check ok, and the key never in output or DB.
 */
export async function runTxCrashHarness(options: TxCrashOptions): Promise<TxCrashReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  const rand = prng(seed)
  const log = options.log ?? (() => undefined)
  const streams = Math.max(1, options.streams ?? 3)
  const jobs = options.jobs ?? Math.ceil((options.kills * 2) / streams) + 10
  const dir = mkdtempSync(join(tmpdir(), 'tx-crash-'))
  let proxy: FaultProxy | undefined
  const chain = await startSoakChain({
    dir: mkdtempSync(join(tmpdir(), 'tx-crash-chain-')),
    restartEveryBlocks: options.restartEveryBlocks ?? 2_000,
    onRestart: (url) => proxy?.setTarget(url),
    log,
  })
  // The children reach anvil through a proxy whose URL carries a canary API key, as a provider URL would.
  const apiKey = `CANARYKEY${Math.floor(rand() * 2 ** 48).toString(16)}`
  proxy = await startFaultProxy({ target: chain.url(), path: `/v3/${apiKey}` })
  const child = await bundleChild()
  const report: TxCrashReport = {
    kills: 0,
    killsByStep: {},
    childRuns: 0,
    jobs: jobs * streams,
    minedTxs: 0,
    finalNonce: 0,
    integrity: '',
    chainRestarts: 0,
    droppedAtRestart: 0,
    prunedBlocks: 0,
    slowChildren: 0,
    hungChildren: 0,
    problems: [],
  }
  const output: string[] = []
  const keys = Array.from({ length: streams }, () => generatePrivateKey())
  for (const key of keys) {
    await anvilRpc(chain.url(), 'anvil_setBalance', [privateKeyToAccount(key).address, '0x56bc75e2d63100000']) // 100 ETH
  }
  const runChild = (stream: number, step: SendStep | 'timer' | undefined, after: number, timerMs: number) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const proc = spawnTied(process.execPath, [child], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          TX_CHILD_RPC: proxy!.url,
          TX_CHILD_CHAIN_ID: String(chain.chainId),
          TX_CHILD_DB: join(dir, `state-${stream}.db`),
          TX_CHILD_STREAM: String(stream),
          TX_CHILD_JOBS: String(jobs),
          TX_CHILD_KEY: keys[stream],
          TX_CHILD_CRASH_STEP: step === 'timer' ? '' : (step ?? ''),
          TX_CHILD_CRASH_AFTER: String(after),
        },
      })
      proc.stdout!.on('data', (b: Buffer) => output.push(b.toString()))
      proc.stderr!.on('data', (b: Buffer) => output.push(b.toString()))
      const timer = step === 'timer' ? setTimeout(() => proc.kill('SIGKILL'), timerMs) : undefined
      // A child that hangs (no progress at all) is a failure of its own, not a kill: it is stopped and reported.
      // One that is merely slow (a loaded machine) keeps running and is only counted.
      const wallet = privateKeyToAccount(keys[stream]!).address
      const watch = watchProgress({
        hangAfterMs: options.hangAfterMs ?? 60_000,
        sample: () => progressOf(join(dir, `state-${stream}.db`), chain.url(), wallet),
        onHang: (v) => {
          log(`stream ${stream}: child hung: no progress for ${v.longestIdleMs} ms (last seen ${v.last})`)
          proc.kill('SIGKILL')
        },
      })
      proc.on('exit', (code, signal) => {
        clearTimeout(timer)
        const v = watch.stop()
        if (v.kind === 'slow') {
          report.slowChildren++
          log(`stream ${stream}: slow child: ${v.ranMs} ms, longest pause ${v.longestIdleMs} ms, progressing`)
        }
        if (v.kind === 'hang') {
          report.hungChildren++
          report.problems.push(`stream ${stream}: child hung, no progress for ${v.longestIdleMs} ms: ${v.last}`)
        }
        resolve(v.kind === 'hang' ? { code: -1, signal: null } : { code, signal })
      })
    })
  // Independent streams (own wallet, own journal) run side by side: child start-up dominates a kill's cost.
  const runStream = async (stream: number) => {
    let attempts = 0
    while (report.kills < options.kills && attempts < options.kills * 3) {
      attempts++
      const step = STEPS[Math.floor(rand() * STEPS.length)]!
      const after = 1 + Math.floor(rand() * 4)
      const t0 = Date.now()
      const res = await runChild(stream, step, after, 150 + Math.floor(rand() * 600))
      report.childRuns++
      if (res.signal === 'SIGKILL') {
        report.kills++
        report.killsByStep[step] = (report.killsByStep[step] ?? 0) + 1
      } else if (res.code !== 0) {
        report.problems.push(`child exited with code ${res.code} (step ${step}): ${output.slice(-3).join(' ')}`)
      }
      log(
        `stream ${stream} run ${report.childRuns}: step=${step} after=${after} -> ${res.signal ?? res.code} (${Date.now() - t0} ms)`,
      )
    }
    const last = await runChild(stream, undefined, 0, 0)
    report.childRuns++
    if (last.code !== 0)
      report.problems.push(
        `final child of stream ${stream} failed (${last.signal ?? last.code}): ${output.slice(-3).join(' ')}`,
      )
  }
  try {
    await Promise.all(Array.from({ length: streams }, (_, s) => runStream(s)))
    await chain.stopMining()
    const stats = chain.stats()
    Object.assign(report, {
      chainRestarts: stats.restarts,
      droppedAtRestart: stats.droppedAtRestart,
      prunedBlocks: stats.prunedBlocks,
    })
    report.problems.push(...stats.failures)
    await anvilRpc(chain.url(), 'evm_mine') // anything still pending is counted too (and would show as a problem)
    const integrity: string[] = []
    const client = createPublicClient({
      chain: defineChain({
        id: chain.chainId,
        name: 'anvil',
        nativeCurrency: { name: 'ETH', symbol: 'ETH', decimals: 18 },
        rpcUrls: { default: { http: [] } },
      }),
      transport: http(chain.url(), { batch: { batchSize: 100 } }),
      cacheTime: 0,
    })
    const { sent, missing } = await sentByWallet(client)
    // Only empty blocks are pruned: a missing block not accounted for by pruning could have held a transaction.
    if (missing !== stats.prunedBlocks) report.problems.push(`${missing} blocks missing, ${stats.prunedBlocks} pruned`)
    for (let s = 0; s < streams; s++) {
      const wallet = privateKeyToAccount(keys[s]!).address
      const part = await verify(
        client,
        wallet,
        sent.get(wallet.toLowerCase()) ?? [],
        join(dir, `state-${s}.db`),
        s,
        jobs,
        report.problems,
      )
      report.minedTxs += part.mined
      report.finalNonce += part.finalNonce
      integrity.push(part.integrity)
    }
    report.integrity = integrity.every((i) => i === 'ok') ? 'ok' : integrity.join(',')
    const text = output.join('').toLowerCase()
    const canaries: [string, string][] = [
      ['RPC API key', apiKey.toLowerCase()],
      ...keys.map((k): [string, string] => ['private key', k.slice(2).toLowerCase()]),
    ]
    const files = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('latin1').toLowerCase()] as const)
    for (const [what, canary] of canaries) {
      if (text.includes(canary)) report.problems.push(`the ${what} appeared in child output`)
      for (const [f, content] of files)
        if (content.includes(canary)) report.problems.push(`the ${what} appeared in ${f}`)
    }
  } finally {
    await proxy?.close()
    await chain.stop()
    rmSync(dir, { recursive: true, force: true })
    if (existsSync(child)) rmSync(child, { force: true })
  }
  log(`seed=${seed} ${JSON.stringify(report)}`)
  return report
}

/** Every mined transaction, by sender (lowercase), from one pass over the chain's blocks (pruned ones: missing). */
async function sentByWallet(
  client: PublicClient,
): Promise<{ sent: Map<string, { hash: Hex; nonce: number }[]>; missing: number }> {
  const head = Number(await client.getBlockNumber())
  const request = client.request as (args: { method: string; params: unknown[] }) => Promise<unknown>
  const blocks = (await Promise.all(
    Array.from({ length: head + 1 }, (_, n) =>
      request({ method: 'eth_getBlockByNumber', params: [`0x${n.toString(16)}`, true] }),
    ),
  )) as ({ transactions: { hash: Hex; nonce: string; from: string }[] } | null)[]
  const out = new Map<string, { hash: Hex; nonce: number }[]>()
  let missing = 0
  for (const block of blocks) {
    if (!block) {
      missing++
      continue
    }
    for (const tx of block.transactions) {
      const from = tx.from.toLowerCase()
      out.set(from, [...(out.get(from) ?? []), { hash: tx.hash, nonce: Number(tx.nonce) }])
    }
  }
  return { sent: out, missing }
}

/** The durable evidence a child progresses: journal rows and their states, and the wallet's mined nonce. */
async function progressOf(dbPath: string, rpcUrl: string, wallet: Address): Promise<unknown> {
  // timeout 0: a busy journal is no evidence this time; better-sqlite3's default 5 s busy wait would block the
  // harness's event loop, and with it the RPC proxy every child goes through.
  const db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: 0 })
  let rows: unknown
  try {
    rows = db.prepare('SELECT status, COUNT(*) AS n FROM tx_intents GROUP BY status ORDER BY status').all()
  } finally {
    db.close()
  }
  return { rows, nonce: await anvilRpc<string>(rpcUrl, 'eth_getTransactionCount', [wallet, 'latest']) }
}

async function verify(
  client: PublicClient,
  wallet: Address,
  txs: { hash: Hex; nonce: number }[],
  dbPath: string,
  stream: number,
  jobs: number,
  problems: string[],
): Promise<{ mined: number; finalNonce: number; integrity: string }> {
  const db = new Database(dbPath, { readonly: true })
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }))
    if (integrity !== 'ok') problems.push(`stream ${stream} integrity_check: ${integrity}`)
    const nonces: number[] = []
    const perRoot = new Map<number, number>()
    const rootOf = db.prepare('SELECT root_id FROM tx_intents WHERE tx_hash = ?')
    for (const tx of txs) {
      nonces.push(tx.nonce)
      const row = rootOf.get(tx.hash) as { root_id: number } | undefined
      if (!row) {
        problems.push(`stream ${stream}: mined tx ${tx.hash} is not in the journal`)
        continue
      }
      perRoot.set(row.root_id, (perRoot.get(row.root_id) ?? 0) + 1)
    }
    const finalNonce = await client.getTransactionCount({ address: wallet })
    const sorted = [...nonces].sort((a, b) => a - b)
    if (new Set(sorted).size !== sorted.length) problems.push(`stream ${stream}: two mined txs share a nonce`)
    if (sorted.some((n, i) => n !== i)) problems.push(`stream ${stream}: nonce gap: ${sorted.join(',')}`)
    if (finalNonce !== sorted.length) problems.push(`stream ${stream}: nonce ${finalNonce} != mined ${sorted.length}`)
    for (const [root, count] of perRoot)
      if (count > 1) problems.push(`stream ${stream}: intent ${root} mined ${count} times`)
    const rowsOf = db.prepare('SELECT status, kind FROM tx_intents WHERE run_id = ? AND dry_run = 0')
    for (let i = 0; i < jobs; i++) {
      const job = crashJob(i, stream)
      const rows = rowsOf.all(job.runId) as { status: string; kind: string }[]
      const confirmed = rows.filter((r) => r.status === 'confirmed')
      if (confirmed.length !== 1 || confirmed[0]!.kind === 'cancel') {
        problems.push(`job ${job.runId} not finished: ${JSON.stringify(rows)}`)
      }
      const balance = await client.getBalance({ address: job.to })
      if (balance !== job.value) problems.push(`job ${job.runId} recipient has ${balance}, expected ${job.value}`)
    }
    if (sorted.length !== jobs) problems.push(`stream ${stream}: mined ${sorted.length} txs for ${jobs} jobs`)
    return { mined: sorted.length, finalNonce, integrity }
  } finally {
    db.close()
  }
}
