// Fee bench: replays a real base-fee trace through the gas oracle and the dynamic policy on a simulated clock.
// Usage: tsx bench/fees.bench.ts [--trace path.csv] [--prices klines.csv] [--jobs 200] [--seed 7]
import { existsSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { decideDispatch, type DueRun, type DynamicPolicyConfig } from '../src/bot/dynamic-policy.ts'
import type { BreakerStatus } from '../src/risk/circuit-breaker.ts'
import { createGasOracle } from '../src/risk/gas-oracle.ts'
import { readBaseFeeTrace, readPriceBars, type PriceBar } from '../src/risk/market-csv.ts'
import { createVolatilityClassifier } from '../src/risk/volatility.ts'

const DATA = join(import.meta.dirname, '../data/market')
const GWEI = 1_000_000_000n
const { values: argv } = parseArgs({
  options: {
    trace: { type: 'string', default: join(DATA, 'eth_basefee_2023-05-03_pepe.csv') },
    prices: { type: 'string' },
    jobs: { type: 'string', default: '200' },
    seed: { type: 'string', default: '7' },
    'cap-gwei': { type: 'string' },
  },
})

/** mulberry32, so a run is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const trace = readBaseFeeTrace(argv.trace)
const t0 = trace[0]!.timestamp
const tEnd = trace[trace.length - 1]!.timestamp
/** 1-minute ETH/USDT bars covering the trace, when the repo has them (feeds the volatility classifier). */
function findPrices(): PriceBar[] {
  if (argv.prices) return readPriceBars(argv.prices)
  for (const f of readdirSync(DATA).filter((n) => n.startsWith('eth_usdt_1m_'))) {
    const bars = readPriceBars(join(DATA, f))
    if (bars[0]!.time <= t0 && bars[bars.length - 1]!.time >= tEnd) return bars
  }
  return []
}
const bars = findPrices()

const WARMUP_BLOCKS = Math.min(1200, Math.floor(trace.length / 4))
const fees = trace.map((s) => s.baseFeePerGas)
const sortedFees = [...fees].sort((a, b) => (a < b ? -1 : 1))
// A cap at the trace's 97th percentile: high enough to be a real "emergency only" ceiling, low enough to bind.
const cap = argv['cap-gwei'] ? BigInt(argv['cap-gwei']) * GWEI : sortedFees[Math.floor(sortedFees.length * 0.97)]!
const cfg: DynamicPolicyConfig = {
  maxGasPrice: cap,
  criticalMaxGasPrice: cap * 2n,
  hardMaxGasPrice: cap,
  maxDelayMs: 15 * 60_000,
  recheckMs: 12_000,
  deadline: { lowPercentile: 0, highPercentile: 50, shape: 2, safetyMs: 5 * 60_000 },
  thinning: { mode: 'stretch', factor: 2 },
}

interface Job { run: DueRun; gas: bigint; nextCheck: number; paid: bigint | null; missed: boolean; reason: string }
const rand = rng(Number(argv.seed))
const nJobs = Number(argv.jobs)
const startT = trace[WARMUP_BLOCKS]!.timestamp
const jobs: Job[] = []
for (let i = 0; i < nJobs; i++) {
  const windowS = Math.round((1 + rand() * 3) * 3600) // 1..4 hours
  const releaseS = startT + Math.floor(rand() * Math.max(1, tEnd - windowS - startT))
  jobs.push({
    run: { jobId: `swap-${i}`, chainId: 1, dueAt: releaseS * 1000, gasSensitive: true,
      deadlineWindow: { releaseAt: releaseS * 1000, deadline: (releaseS + windowS) * 1000 } },
    gas: BigInt(100_000 + Math.floor(rand() * 200_000)),
    nextCheck: releaseS * 1000,
    paid: null,
    missed: false,
    reason: '',
  })
}
// Recurring gas-sensitive jobs: every 20 minutes, allowed 15 minutes of delay.
const RECUR_MS = 20 * 60_000
const recurring = { due: 0, ran: 0, thinned: 0, missed: 0 }
let nextRecurring = Math.ceil((startT * 1000) / RECUR_MS) * RECUR_MS
const pendingRecurring: { run: DueRun; nextCheck: number }[] = []

let clock = t0 * 1000
const oracle = createGasOracle({
  config: { chainId: 1, windowBlocks: 1200, maxBlockAgeMs: 10 * 60_000, maxUpdateAgeMs: 10 * 60_000, unavailableAfterMs: 30 * 60_000 },
  now: () => clock,
})
const vol = createVolatilityClassifier({
  windowBars: 240, barSeconds: 60, annualize: true,
  thresholds: { mediumEnter: 0.8, mediumExit: 0.65, highEnter: 1.5, highExit: 1.1 },
})
const breaker: BreakerStatus = { state: 'closed', causes: [], openedAt: null, resetEligibleAt: null, manualHalt: null }
let barIdx = 0
let highBlocks = 0

for (let b = 0; b < trace.length - 1; b++) {
  const s = trace[b]!
  clock = s.timestamp * 1000
  // the next block's base fee is known once block b is mined (eth_feeHistory's extra element)
  oracle.ingest([s], trace[b + 1]!.baseFeePerGas)
  while (barIdx < bars.length && bars[barIdx]!.time + 60 <= s.timestamp) { vol.push(bars[barIdx]!.time, bars[barIdx]!.close); barIdx++ }
  if (b < WARMUP_BLOCKS) continue
  const market = { now: clock, gas: { 1: oracle.snapshot() } }
  const risk = { circuitBreaker: breaker, volatility: vol.reading() }
  if (risk.volatility.level === 'high') highBlocks++
  const landFee = trace[b + 1]!.baseFeePerGas // a transaction sent now lands in the next block
  for (const j of jobs) {
    if (j.paid !== null || j.missed || clock < j.nextCheck) continue
    const d = decideDispatch(j.run, market, risk, cfg)
    if (d.action === 'run') j.paid = landFee * j.gas
    else if (d.action === 'delay') j.nextCheck = d.until
    else { j.missed = true; j.reason = d.reason }
  }
  while (nextRecurring <= clock) {
    recurring.due++
    pendingRecurring.push({ run: { jobId: 'claim', chainId: 1, dueAt: nextRecurring, gasSensitive: true, recurring: { intervalMs: RECUR_MS } }, nextCheck: nextRecurring })
    nextRecurring += RECUR_MS
  }
  for (let i = pendingRecurring.length - 1; i >= 0; i--) {
    const r = pendingRecurring[i]!
    if (clock < r.nextCheck) continue
    const d = decideDispatch(r.run, market, risk, cfg)
    if (d.action === 'delay') { r.nextCheck = d.until; continue }
    if (d.action === 'run') recurring.ran++
    else if (d.code === 'thinned') recurring.thinned++
    else recurring.missed++
    pendingRecurring.splice(i, 1)
  }
}

// Baselines: (a) naive = send at release (lands in the next block), (b) oracle = cheapest landing block in the window.
let paid = 0n, naive = 0n, best = 0n, missed = 0, forced = 0
const landing = (j: Job) => {
  const out: bigint[] = []
  for (let b = WARMUP_BLOCKS; b < trace.length - 1; b++) {
    const t = trace[b]!.timestamp * 1000
    if (t < j.run.deadlineWindow!.releaseAt) continue
    if (t >= j.run.deadlineWindow!.deadline) break
    out.push(trace[b]!.baseFeePerGas <= cap ? trace[b + 1]!.baseFeePerGas : -1n)
  }
  return out
}
for (const j of jobs) {
  const fl = landing(j)
  const allowed = fl.filter((f) => f >= 0n)
  if (allowed.length === 0) forced++
  if (j.paid === null) { missed++; continue }
  paid += j.paid
  naive += (fl[0]! >= 0n ? fl[0]! : allowed[0] ?? 0n) * j.gas
  best += allowed.reduce((m, f) => (f < m ? f : m), allowed[0]!) * j.gas
}
const ratio = (a: bigint, b: bigint) => (b === 0n ? 0 : Number((a * 1_000_000n) / b) / 1_000_000)
const eth = (wei: bigint) => (Number(wei / 10n ** 12n) / 1e6).toFixed(4)
const done = jobs.length - missed
console.log(`trace ${basename(argv.trace)}: ${trace.length} blocks, ${((tEnd - t0) / 3600).toFixed(1)} h, prices: ${bars.length ? `${bars.length} 1m bars` : 'none (volatility stays low)'}`)
console.log(`policy stepped directly on the simulated clock (the sched branch is not in main); cap ${eth(cap * 10n ** 9n)} gwei (trace p97)`)
console.log(`${jobs.length} deadline-window jobs (1-4 h windows): ${done} sent, ${missed} missed (${forced} forced by the cap)`)
console.log(`base fee paid ${eth(paid)} ETH | naive immediate ${eth(naive)} ETH | oracle minimum ${eth(best)} ETH (over the ${done} sent)`)
console.log(`recurring every 20 min: ${recurring.due} due, ${recurring.ran} ran, ${recurring.thinned} thinned, ${recurring.missed} missed; volatility high in ${highBlocks} blocks`)
console.log(JSON.stringify({ bench: 'fees', trace: basename(argv.trace), vs_oracle: Number(ratio(paid, best).toFixed(4)), vs_naive: Number(ratio(paid, naive).toFixed(4)), missed, jobs: jobs.length }))
if (!existsSync(argv.trace)) process.exitCode = 1
