// Operations API under load: a real `bot run` on the embedded devnet with per-second jobs; 200 concurrent API
// clients for 30 s, twice. Prints req/s and errors, the scheduler's fire->start lag idle (baseline, same run) vs
// under load, the floor a bare process waiting on the same clock sees in the same windows (wake-probe.ts), and the
// bot's RSS before, between and after the rounds. Last line: one JSON object.
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { setPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import { percentile, runApiLoad, type LoadResult } from '../scripts/api-load.ts'
import { PRESETS_DIR } from '../src/config/load.ts'
import { startWakeFloor } from './wake-floor.ts'

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200)
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 30_000)
// One per scheduler slot (maxConcurrentJobs 4): more would measure queueing for slots, not trigger latency. Their
// fire times are a quarter second apart, so each second gives four independent fires rather than one shared one.
const TICKERS = 4
const TICKER_PHASE_MS = 250
const TOKEN = 'bench-admin-token-not-a-secret'
const LAG_TARGET_P99_MS = 2
/**
 * Niceness of the load generator (this process) during the measured rounds; the bot, spawned before, keeps normal
 * priority, its HTTP worker included. The 200 clients stand in for clients on other machines: at the same priority
 * they take the two cores from the bot. A round at the same priority comes first, as the in-run baseline.
 */
const LOADGEN_NICE = Number(process.env.BENCH_LOADGEN_NICE ?? 10)
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Node flags of the bot. A young generation of 1 MB (V8's default grows to 16 MB) keeps each scavenge of the
 * scheduler's thread short: it copies what survived, and ~15 ms pauses every few seconds were the largest stalls
 * seen there. BENCH_BOT_NODE_FLAGS="" runs the bot with Node's defaults.
 */
const BOT_NODE_FLAGS = (process.env.BENCH_BOT_NODE_FLAGS ?? '--max-semi-space-size=1').split(' ').filter(Boolean)

const dir = mkdtempSync(join(tmpdir(), 'bench-server-'))
const dbPath = join(dir, 'state.db')
const preset = JSON.parse(readFileSync(join(PRESETS_DIR, 'devnet-demo.json'), 'utf8')) as { jobs: unknown[] }
const firstSecond = Math.ceil(Date.now() / 1000) * 1000
const tickers = Array.from({ length: TICKERS }, (_, i) => ({
  id: `tick-${i}`,
  taskType: 'noop',
  trigger: { type: 'interval', every: 1, unit: 's', start: firstSecond + i * TICKER_PHASE_MS },
  args: { label: `tick ${i}` },
}))
writeFileSync(
  join(dir, 'bot.json'),
  JSON.stringify({ preset: 'devnet-demo', store: { path: dbPath }, jobs: [...preset.jobs, ...tickers] }),
)

const bot = spawn(
  process.execPath,
  [...BOT_NODE_FLAGS, 'bin/bot.js', 'run', '--port', '0', '--config', join(dir, 'bot.json')],
  {
    env: { ...process.env, BOT_API_TOKEN: TOKEN, NO_COLOR: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
)
let output = ''
bot.stdout.on('data', (b: Buffer) => {
  output += b.toString()
})
bot.stderr.on('data', (b: Buffer) => {
  output += b.toString()
})
const stopBot = async () => {
  if (bot.exitCode !== null) return
  bot.kill('SIGTERM')
  await new Promise((r) => bot.once('exit', r))
}

/**
 * The floor, same run: a bare Node process (the bot's flags and priority) waiting for fire times on the scheduler's
 * real clock, a quarter period off the tickers' fire times. Its lateness in a window is what the machine gives any
 * process then; the bot's lag above it is the bot's own.
 */
const floor = startWakeFloor(BOT_NODE_FLAGS)

/** Resident memory of the bot process in MiB, from /proc. */
function rssMb(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${bot.pid}/status`, 'utf8'))
  return m ? round(Number(m[1]) / 1024, 1) : Number.NaN
}

/** Fire->start lag (ms) of the scheduled runs whose fire time fell in [from, to). */
function lagBetween(from: number, to: number): number[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true })
  try {
    const rows = db
      .prepare(
        `SELECT started_at - scheduled_for AS lag FROM runs
      WHERE origin = 'schedule' AND job_id LIKE 'tick-%' AND started_at IS NOT NULL AND scheduled_for >= ? AND scheduled_for < ?`,
      )
      .all(from, to) as { lag: number }[]
    return rows.map((r) => r.lag)
  } finally {
    db.close()
  }
}

async function main() {
  const deadline = Date.now() + 180_000
  let url: string | undefined
  while (!url) {
    if (bot.exitCode !== null || Date.now() > deadline) throw new Error(`bot did not start: ${output.slice(-800)}`)
    url = /api listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
    await sleep(100)
  }
  await sleep(3_000)
  const rssStart = rssMb()

  const idleFrom = Date.now()
  await sleep(ROUND_MS)
  const idleLag = lagBetween(idleFrom, Date.now())
  const idleFloor = floor.between(idleFrom, Date.now())

  const paths = [
    '/api/status',
    '/api/jobs',
    '/api/runs?limit=50',
    '/api/risk',
    '/api/allocations',
    '/api/health',
    '/metrics',
    '/api/jobs/tick-0',
    '/api/runs?job=tick-1&status=succeeded&limit=20',
    '/api/audit?limit=20',
  ]
  const loadRound = async () => {
    const from = Date.now()
    const load = await runApiLoad({
      baseUrl: url,
      clients: CLIENTS,
      durationMs: ROUND_MS,
      paths,
      token: TOKEN,
      mutation: { jobId: 'tick-3', everyMs: 2_000 },
    })
    const to = Date.now() - 1_000
    return { load, lag: lagBetween(from, to), floor: floor.between(from, to), rss: rssMb() }
  }
  const samePriority = LOADGEN_NICE !== 0 ? await loadRound() : null
  // Linux keeps niceness per thread: this lowers the thread that runs the clients, not the bot.
  if (LOADGEN_NICE !== 0) setPriority(0, LOADGEN_NICE)
  const rounds: { load: LoadResult; lag: number[]; floor: number[]; rss: number }[] = []
  for (let i = 0; i < 2; i++) rounds.push(await loadRound())
  await stopBot()

  const [r1, r2] = rounds as [(typeof rounds)[0], (typeof rounds)[0]]
  const lagLoad = [...r1.lag, ...r2.lag]
  const floorLoad = [...r1.floor, ...r2.floor]
  const requests = r1.load.requests + r2.load.requests
  const errors = r1.load.errors + r2.load.errors
  const result = {
    bench: 'server-load',
    clients: CLIENTS,
    round_s: ROUND_MS / 1000,
    rounds: 2,
    requests,
    errors,
    req_per_s: Math.round((r1.load.reqPerS + r2.load.reqPerS) / 2),
    latency_p50_ms: r2.load.latencyP50Ms,
    latency_p99_ms: r2.load.latencyP99Ms,
    lag_runs_idle: idleLag.length,
    lag_idle_p50_ms: percentile(idleLag, 50),
    lag_idle_p99_ms: percentile(idleLag, 99),
    lag_runs_load: lagLoad.length,
    lag_load_p50_ms: percentile(lagLoad, 50),
    lag_load_p99_ms: percentile(lagLoad, 99),
    lag_load_max_ms: Math.max(...lagLoad),
    lag_target_p99_ms: LAG_TARGET_P99_MS,
    lag_within_target: percentile(lagLoad, 99) <= LAG_TARGET_P99_MS,
    lag_p99_load_over_idle: round(percentile(lagLoad, 99) / Math.max(1, percentile(idleLag, 99))),
    floor_fires_idle: idleFloor.length,
    floor_idle_p50_ms: percentile(idleFloor, 50),
    floor_idle_p99_ms: percentile(idleFloor, 99),
    floor_fires_load: floorLoad.length,
    floor_load_p50_ms: percentile(floorLoad, 50),
    floor_load_p99_ms: percentile(floorLoad, 99),
    floor_load_max_ms: Math.max(...floorLoad),
    lag_p99_over_floor_idle: round(percentile(idleLag, 99) / Math.max(1, percentile(idleFloor, 99))),
    lag_p99_over_floor_load: round(percentile(lagLoad, 99) / Math.max(1, percentile(floorLoad, 99))),
    rss_start_mb: rssStart,
    rss_after_round1_mb: r1.rss,
    rss_after_round2_mb: r2.rss,
    rss_growth_round2_pct: round(((r2.rss - r1.rss) / r1.rss) * 100, 1),
    loadgen_nice: LOADGEN_NICE,
    bot_node_flags: BOT_NODE_FLAGS.join(' '),
    lag_load_same_priority_p50_ms: samePriority ? percentile(samePriority.lag, 50) : null,
    lag_load_same_priority_p99_ms: samePriority ? percentile(samePriority.lag, 99) : null,
    req_per_s_same_priority: samePriority ? Math.round(samePriority.load.reqPerS) : null,
  }
  console.log(`bot: node ${[...BOT_NODE_FLAGS, 'bin/bot.js run'].join(' ')}`)
  console.log(
    `clients ${CLIENTS} x ${ROUND_MS / 1000} s, 2 rounds: ${requests} requests, ${errors} errors, ~${result.req_per_s} req/s`,
  )
  if (errors) console.log(`error samples: ${[...r1.load.errorSamples, ...r2.load.errorSamples].slice(0, 5).join('; ')}`)
  console.log(`api latency p50 ${result.latency_p50_ms} ms, p99 ${result.latency_p99_ms} ms`)
  console.log(
    `scheduler lag idle (baseline): p50 ${result.lag_idle_p50_ms} ms, p99 ${result.lag_idle_p99_ms} ms over ${idleLag.length} runs`,
  )
  console.log(
    `scheduler lag under load:      p50 ${result.lag_load_p50_ms} ms, p99 ${result.lag_load_p99_ms} ms over ${lagLoad.length} runs, max ${result.lag_load_max_ms} ms (target p99 <= ${LAG_TARGET_P99_MS} ms)`,
  )
  console.log(
    `floor (a bare process waiting on the same clock, same windows): idle p50 ${result.floor_idle_p50_ms} ms, p99 ` +
      `${result.floor_idle_p99_ms} ms over ${idleFloor.length} fires; under load p50 ${result.floor_load_p50_ms} ms, ` +
      `p99 ${result.floor_load_p99_ms} ms, max ${result.floor_load_max_ms} ms over ${floorLoad.length} fires; bot p99 ` +
      `over floor p99: idle ${result.lag_p99_over_floor_idle}x, load ${result.lag_p99_over_floor_load}x`,
  )
  if (samePriority)
    console.log(
      `the load generator ran at niceness ${LOADGEN_NICE} (the bot at normal priority), standing in for clients on ` +
        `other machines; in a first round at the bot's own priority (same run): lag p50 ` +
        `${result.lag_load_same_priority_p50_ms} ms, p99 ${result.lag_load_same_priority_p99_ms} ms, ` +
        `~${result.req_per_s_same_priority} req/s`,
    )
  console.log(
    `bot RSS: start ${rssStart} MiB, after round 1 ${r1.rss} MiB, after round 2 ${r2.rss} MiB (${result.rss_growth_round2_pct}% in round 2)`,
  )
  console.log(JSON.stringify(result))
}

try {
  await main()
} finally {
  floor.stop()
  await stopBot()
  rmSync(dir, { recursive: true, force: true })
}
