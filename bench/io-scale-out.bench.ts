// Scale-out on I/O-bound work: each run makes three calls to a local slow RPC-like server (50-200 ms each), at most
// CONCURRENCY runs at once per instance; one SQLite instance beside 1, 2 and 3 PostgreSQL instances (cluster mode,
// separate processes), measured in the same run on the same plan. Reports runs/s, ratios to the 1-instance
// PostgreSQL baseline, and trigger lag p99 (interval jobs beside the load, measured in their handlers, from one
// second after the fire time, once the burst of N fires is queued) beside the floor a bare process waiting on the
// same clock sees in the same window (wake-floor.ts). A last round SIGKILLs one of three instances
// mid-run: every job must still succeed exactly once. Last line: one JSON object.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { postgresBinDir, startPostgres } from '../scripts/postgres.ts'
import { percentile } from '../scripts/api-load.ts'
import type { IoInstanceArgs } from './io-scale-out-instance.ts'
import { pgProbe, sqliteProbe, type Probe } from './io-scale-out-probes.ts'
import { startSlowRpc, type SlowRpc } from './slow-rpc-server.ts'
import { startWakeFloor, type WakeFloor } from './wake-floor.ts'

const N = Number(process.env.IO_SCALE_N ?? 600)
const CONCURRENCY = Number(process.env.IO_SCALE_CONCURRENCY ?? 16)
const CALLS = 3
/** Time from all instances loaded to the fire: adding the plan to PostgreSQL takes seconds on a busy machine. */
const LEAD_MS = Number(process.env.IO_SCALE_LEAD_MS ?? 15_000)
const TICKERS = 24
/** Configurations to measure (default all): sqlite, blocking, pg1, pg2, pg3, kill. */
const ONLY = new Set((process.env.IO_SCALE_CONFIGS ?? 'sqlite,blocking,pg1,pg2,pg3,kill').split(','))
const CHILD = fileURLToPath(new URL('./io-scale-out-instance.ts', import.meta.url))
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One configuration's outcome. */
interface Result {
  /** Whole run: N over the time from the fire to the last success seen in the store. */
  runsPerS: number
  /** Steady state: runs ended between the 10th and 90th percentile of run ends, over that window. */
  steadyRunsPerS: number
  lagP50: number
  lagP99: number
  lagN: number
  /** The same-run floor: p99 lateness of a bare process waiting on the scheduler's clock in the same window. */
  floorP99: number
  /** Jobs whose calls reached the server more than once (each was an interrupted run's rerun). */
  repeated: number
}

/**
 * Runs per second in the steady state: a run ends when the server answers its last call; the rate is taken between
 * the 10th and the 90th percentile of those ends, leaving out the ramp-up (the burst of fires, the first batches)
 * and the tail (the last runs of each instance, with fewer than CONCURRENCY left to run), which weigh more the
 * shorter the run: 600 jobs last ~15 s on one instance but ~5 s on three.
 */
function steadyRate(rpc: SlowRpc): number {
  const ends = [...rpc.answeredAt].filter(([id]) => id.endsWith(`-${CALLS - 1}`)).map(([, t]) => t)
  ends.sort((a, b) => a - b)
  const lo = ends[Math.floor(ends.length * 0.1)]
  const hi = ends[Math.floor(ends.length * 0.9)]
  if (lo === undefined || hi === undefined || hi <= lo) return 0
  return Math.round((Math.floor(ends.length * 0.9) - Math.floor(ends.length * 0.1)) / ((hi - lo) / 1000))
}

/** Starts the instances, waits for the fire time and for all N succeeded runs; optionally SIGKILLs instance 0. */
async function measure(
  label: string,
  rpc: SlowRpc,
  stores: IoInstanceArgs['store'][],
  probe: Probe,
  kill = false,
): Promise<Result> {
  rpc.calls.clear()
  rpc.answeredAt.clear()
  const children: ChildProcess[] = []
  let floor: WakeFloor | null = null
  const lags: number[] = []
  let measuring = false
  // Lag is taken in the steady state: from one second after the fire time, when every job has fired and queued.
  let steadyFrom = Infinity
  try {
    const seen = (child: ChildProcess, word: string) =>
      new Promise<void>((resolve, reject) => {
        const onData = (b: Buffer) => {
          if (b.toString().split('\n').includes(word)) {
            child.stdout!.off('data', onData)
            resolve()
          }
        }
        child.stdout!.on('data', onData)
        child.once('exit', (code) => reject(new Error(`${label}: an instance exited with ${code} before "${word}"`)))
      })
    const booted: Promise<void>[] = []
    for (const store of stores) {
      const args: IoInstanceArgs = {
        store,
        jobs: N,
        rpcUrl: rpc.url,
        concurrency: CONCURRENCY,
        callsPerRun: CALLS,
        tickers: TICKERS,
      }
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      })
      children.push(child)
      let buf = ''
      child.stdout!.on('data', (b: Buffer) => {
        buf += b.toString()
        const lines = buf.split('\n')
        buf = lines.pop()!
        for (const l of lines)
          if (l.startsWith('lag ') && Date.now() >= steadyFrom && measuring) lags.push(Number(l.slice(4)))
      })
      booted.push(seen(child, 'booted'))
    }
    await Promise.all(booted)
    floor = startWakeFloor([])
    // Loaded: the fire time leaves each instance time to add the plan and the cluster time to spread its groups.
    const at = Date.now() + LEAD_MS + stores.length * 4_000
    const ready = children.map((c) => seen(c, 'ready'))
    for (const c of children) c.stdin!.end(`${at}\n`)
    await Promise.all(ready)
    if (Date.now() > at) throw new Error(`${label}: the instances took longer than the lead time to start`)
    await sleep(at - Date.now())
    measuring = true
    steadyFrom = at + 1_000
    let killedAt: number | null = null
    for (;;) {
      const done = await probe.succeeded()
      if (done >= N) break
      if (kill && killedAt === null && done >= N * 0.4) {
        children[0]!.kill('SIGKILL')
        killedAt = done
      }
      await sleep(50)
    }
    const seconds = (Date.now() - at) / 1000
    const floorLags = floor.between(steadyFrom, Date.now())
    measuring = false
    await sleep(300)
    const reruns = await probe.verify()
    const groups = await probe.groups()
    // Every call id reached the server once, except the calls of runs interrupted by the kill and rerun.
    const repeatedJobs = new Set<string>()
    for (const [id, n] of rpc.calls) if (n > 1) repeatedJobs.add(`io-${id.split('-')[0]}`)
    for (const j of repeatedJobs)
      if (!reruns.has(j)) throw new Error(`${label}: job ${j} made its calls twice without an interrupted run`)
    const r: Result = {
      runsPerS: Math.round(N / seconds),
      steadyRunsPerS: steadyRate(rpc),
      lagP50: round(percentile(lags, 50)),
      lagP99: round(percentile(lags, 99)),
      lagN: lags.length,
      floorP99: percentile(floorLags, 99),
      repeated: repeatedJobs.size,
    }
    console.log(
      `  ${label}: ${r.runsPerS} runs/s (steady ${r.steadyRunsPerS}); trigger lag p50 ${r.lagP50} ms, p99 ${r.lagP99} ms over ${r.lagN} fires (floor p99 ${r.floorP99} ms); ` +
        `groups held: ${groups}` +
        (kill
          ? `; instance 0 SIGKILLed after ${killedAt} runs, ${reruns.size} interrupted runs rerun, every job once`
          : ''),
    )
    return r
  } finally {
    floor?.stop()
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM')
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)),
      ),
    )
    await probe.close()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-io-scale-'))
const rpc = await startSlowRpc()
try {
  console.log(
    `${N} jobs of ${CALLS} slow RPC calls (50-200 ms each), ${CONCURRENCY} at once per instance, ${TICKERS} 1 s tickers`,
  )
  const sqlitePath = join(dir, 'state.db')
  const sqlite = ONLY.has('sqlite')
    ? await measure('SQLite, 1 instance', rpc, [{ kind: 'sqlite', path: sqlitePath }], sqliteProbe(sqlitePath, N))
    : null
  const pgRes: (Result | null)[] = [null, null, null]
  let killed: Result | null = null
  let blocking: Result | null = null
  if (process.env.TEST_PG_URL || postgresBinDir()) {
    const server = await startPostgres()
    try {
      if (ONLY.has('blocking')) {
        const blockingUrl = server.createDatabase('io_scale_blocking')
        blocking = await measure(
          'PostgreSQL, 1 instance, blocking batches (before)',
          rpc,
          [{ kind: 'postgres', url: blockingUrl, instanceId: 'io-0', blockingBatches: true }],
          await pgProbe(blockingUrl, N),
        )
      }
      for (const k of [1, 2, 3]) {
        if (!ONLY.has(`pg${k}`)) continue
        const url = server.createDatabase(`io_scale_${k}`)
        const stores = Array.from({ length: k }, (_, i) => ({ kind: 'postgres' as const, url, instanceId: `io-${i}` }))
        pgRes[k - 1] = await measure(`PostgreSQL, ${k} instance(s)`, rpc, stores, await pgProbe(url, N))
      }
      if (ONLY.has('kill')) {
        const url = server.createDatabase('io_scale_kill')
        const stores = [0, 1, 2].map((i) => ({ kind: 'postgres' as const, url, instanceId: `io-${i}` }))
        killed = await measure('PostgreSQL, 3 instances, one SIGKILLed', rpc, stores, await pgProbe(url, N), true)
      }
    } finally {
      server.stop()
    }
  }
  const base = pgRes[0]?.runsPerS ?? null
  const x = (r: Result | null | undefined) => (r && base ? round(r.runsPerS / base) : null)
  const lagVsSqlite = (r: Result | null | undefined) =>
    r && sqlite ? round(r.lagP99 / Math.max(sqlite.lagP99, 0.001)) : null
  const steadyBase = pgRes[0]?.steadyRunsPerS ?? null
  const sx = (r: Result | null | undefined) => (r && steadyBase ? round(r.steadyRunsPerS / steadyBase) : null)
  console.log(
    `runs/s vs 1 PostgreSQL instance: 2 instances ${x(pgRes[1])}x, 3 instances ${x(pgRes[2])}x (target >= 2.5x); ` +
      `SQLite ${x(sqlite)}x`,
  )
  console.log(
    `steady state (runs ended between the 10th and 90th percentile, without ramp-up and tail): 2 instances ` +
      `${sx(pgRes[1])}x, 3 instances ${sx(pgRes[2])}x; ideal ${CONCURRENCY} runs at once / 0.375 s mean run = ` +
      `${Math.round(CONCURRENCY / 0.375)} runs/s per instance`,
  )
  console.log(
    `trigger lag p99 vs SQLite (${sqlite?.lagP99 ?? '-'} ms): PostgreSQL 1 ${lagVsSqlite(pgRes[0])}x, 2 ${lagVsSqlite(pgRes[1])}x, ` +
      `3 ${lagVsSqlite(pgRes[2])}x (target <= 2x); blocking batches (before) ${lagVsSqlite(blocking)}x`,
  )
  console.log(
    JSON.stringify({
      bench: 'io-scale-out',
      jobs: N,
      calls_per_run: CALLS,
      concurrency_per_instance: CONCURRENCY,
      sqlite_1_runs_per_s: sqlite?.runsPerS ?? null,
      sqlite_1_lag_p99_ms: sqlite?.lagP99 ?? null,
      postgres_1_runs_per_s: pgRes[0]?.runsPerS ?? null,
      postgres_2_runs_per_s: pgRes[1]?.runsPerS ?? null,
      postgres_3_runs_per_s: pgRes[2]?.runsPerS ?? null,
      postgres_2_over_1: x(pgRes[1]),
      postgres_3_over_1: x(pgRes[2]),
      postgres_1_lag_p99_ms: pgRes[0]?.lagP99 ?? null,
      postgres_2_lag_p99_ms: pgRes[1]?.lagP99 ?? null,
      postgres_3_lag_p99_ms: pgRes[2]?.lagP99 ?? null,
      sqlite_1_floor_p99_ms: sqlite?.floorP99 ?? null,
      postgres_1_floor_p99_ms: pgRes[0]?.floorP99 ?? null,
      postgres_2_floor_p99_ms: pgRes[1]?.floorP99 ?? null,
      postgres_3_floor_p99_ms: pgRes[2]?.floorP99 ?? null,
      postgres_1_blocking_runs_per_s: blocking?.runsPerS ?? null,
      postgres_1_blocking_lag_p99_ms: blocking?.lagP99 ?? null,
      postgres_lag_p99_over_sqlite: lagVsSqlite(
        pgRes.reduce<Result | null>((w, r) => (r && (!w || r.lagP99 > w.lagP99) ? r : w), null),
      ),
      sqlite_1_steady_runs_per_s: sqlite?.steadyRunsPerS ?? null,
      postgres_1_steady_runs_per_s: pgRes[0]?.steadyRunsPerS ?? null,
      postgres_2_steady_runs_per_s: pgRes[1]?.steadyRunsPerS ?? null,
      postgres_3_steady_runs_per_s: pgRes[2]?.steadyRunsPerS ?? null,
      postgres_2_over_1_steady: sx(pgRes[1]),
      postgres_3_over_1_steady: sx(pgRes[2]),
      kill_runs_per_s: killed?.runsPerS ?? null,
      kill_reruns: killed ? killed.repeated : null,
      kill_exactly_once: killed ? true : null,
    }),
  )
} finally {
  await rpc.close()
  rmSync(dir, { recursive: true, force: true })
}
