// Crash harness: SIGKILLs a scheduler child at random moments and checks the durable invariants after each restart.
import Database from 'better-sqlite3'
import { type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CHILD_JOBS } from './plan.ts'
import { watchProgress, type WatchdogVerdict } from './progress-watchdog.ts'
import { spawnTied } from './spawn-tied.ts'

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'child.ts')
// Load tsx into the child's own node process (the tsx CLI would add a second process that SIGKILL misses).
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href

/** Harness options. */
export interface CrashOptions {
  kills: number
  /** Independent children killed side by side (default 2). */
  lanes?: number
  /** Random delay between the child's READY and the SIGKILL. */
  minDelayMs?: number
  maxDelayMs?: number
  dir?: string
  /** A child whose runs and probe rows all stay unchanged this long is hung (default 120 s). */
  hangAfterMs?: number
  log?: (line: string) => void
}

/** What the harness saw. */
export interface CrashReport {
  kills: number
  /** Runs found `running`/`retrying` right after a kill (each then checked as recovered). */
  interruptedSeen: number
  runs: number
  handlerCalls: number
  /** Children that took over 30 s to start or drain while still progressing (a loaded machine, not a failure). */
  slowChildren: number
  /** The directory holding each lane's state and probe files. */
  statePath: string
}

/**
 * Bundles the child into one plain .mjs (esbuild, which tsx already ships) so each restart skips TypeScript
 * loading: about 1 s saved per kill cycle on a loaded machine. Falls back to the tsx loader without esbuild.
 */
async function prepareChild(dir: string): Promise<string[]> {
  try {
    const esbuild = await import('esbuild')
    const out = join(dir, 'bundle', 'child.mjs')
    await esbuild.build({
      entryPoints: [CHILD],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: out,
      packages: 'external',
      logLevel: 'error',
    })
    // The bundle resolves packages and finds the SQL migrations relative to itself.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'bundle', 'node_modules'))
    cpSync(join(ROOT, 'src', 'store', 'migrations'), join(dir, 'bundle', 'migrations'), { recursive: true })
    return [out]
  } catch {
    return ['--import', TSX_LOADER, CHILD]
  }
}

function startChild(
  entry: string[],
  statePath: string,
  probePath: string,
  drain: boolean,
): { child: ChildProcess; ready: Promise<void>; exited: Promise<number | null> } {
  const child = spawnTied(process.execPath, [...entry, statePath, probePath, ...(drain ? ['--drain'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes(drain ? 'DRAINED' : 'READY')) resolve()
    })
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    void exited.then((code) =>
      reject(new Error(`child exited (${code}) before ${drain ? 'DRAINED' : 'READY'}: ${err.slice(-2000)}`)),
    )
  })
  ready.catch(() => undefined)
  return { child, ready, exited }
}

/** The durable evidence a child progresses: runs by status, probe rows started and ended. */
function progressOf(statePath: string, probePath: string): unknown {
  // timeout 0: a busy database is no evidence this time; better-sqlite3's default 5 s busy wait would block the
  // harness's event loop (and every check waiting on it).
  const state = new Database(statePath, { readonly: true, fileMustExist: true, timeout: 0 })
  let probe: Database.Database | undefined
  try {
    probe = new Database(probePath, { readonly: true, fileMustExist: true, timeout: 0 })
    return [
      state.prepare('SELECT status, COUNT(*) AS n FROM runs GROUP BY status ORDER BY status').all(),
      probe.prepare('SELECT COUNT(*) AS n, COUNT(ended_at) AS ended FROM probe').get(),
    ]
  } finally {
    state.close()
    probe?.close()
  }
}

/**
 * Waits for `done` under a progress watchdog: a child without any durable progress for `hangAfterMs` is killed
 * and the wait fails as a hang; one that is only slow is let finish and reported as slow.
 */
async function watched(
  done: Promise<unknown>,
  child: ChildProcess,
  statePath: string,
  probePath: string,
  o: CrashOptions,
  what: string,
): Promise<'ok' | 'slow'> {
  const watch = watchProgress({
    hangAfterMs: o.hangAfterMs ?? 120_000,
    sample: () => progressOf(statePath, probePath),
    onHang: () => child.kill('SIGKILL'),
  })
  let v: WatchdogVerdict | undefined
  try {
    await done
  } finally {
    // A hang explains a child that exited early (it was killed for it): report the hang, not the exit.
    v = watch.stop()
    if (v.kind === 'hang') fail(`${what}: child hung, no progress for ${v.longestIdleMs} ms (last seen ${v.last})`)
  }
  if (v.kind === 'slow') o.log?.(`${what}: slow child (${v.ranMs} ms), still progressing`)
  return v.kind === 'slow' ? 'slow' : 'ok'
}

function fail(msg: string): never {
  throw new Error(`crash invariant violated: ${msg}`)
}

/** Reads the run ids left executing (status running/retrying) and checks every job is still stored. */
function afterKill(statePath: string): number[] {
  const db = new Database(statePath, { readonly: true })
  try {
    const jobs = (db.prepare('SELECT id FROM jobs').all() as { id: string }[]).map((r) => r.id).sort()
    const want = CHILD_JOBS.map((j) => j.id).sort()
    if (JSON.stringify(jobs) !== JSON.stringify(want)) fail(`jobs lost: have ${jobs.join(',')}, want ${want.join(',')}`)
    return (db.prepare("SELECT id FROM runs WHERE status IN ('running','retrying')").all() as { id: number }[]).map(
      (r) => r.id,
    )
  } finally {
    db.close()
  }
}

/** After a restart's recovery: every run left executing is now interrupted (and resolved) or reconciled. */
function afterRestart(statePath: string, leftRunning: number[]): void {
  if (leftRunning.length === 0) return
  const db = new Database(statePath, { readonly: true })
  try {
    const get = db.prepare('SELECT status, recovery FROM runs WHERE id = ?')
    for (const id of leftRunning) {
      const r = get.get(id) as { status: string; recovery: string | null } | undefined
      if (!r) fail(`run ${id} vanished after restart`)
      if (r.status === 'running' || r.status === 'retrying') fail(`run ${id} still ${r.status} after restart`)
      if (r.recovery === null || r.recovery === 'pending')
        fail(`run ${id} (${r.status}) has no applied recovery (${r.recovery})`)
    }
  } finally {
    db.close()
  }
}

/** No two handler calls of one maxInstances-1 job overlap within a process (an unfinished call ran until the kill). */
function checkNoOverlap(probePath: string): number {
  const db = new Database(probePath, { readonly: true })
  try {
    const rows = db
      .prepare('SELECT job_id, pid, started_at, ended_at FROM probe ORDER BY job_id, pid, started_at')
      .all() as { job_id: string; pid: number; started_at: number; ended_at: number | null }[]
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1]!
      const b = rows[i]!
      if (a.job_id !== b.job_id || a.pid !== b.pid) continue
      if (a.ended_at === null)
        fail(`job ${a.job_id}: a call was still running (killed later) when another started in pid ${a.pid}`)
      if (a.ended_at > b.started_at)
        fail(`job ${a.job_id}: calls overlap in pid ${a.pid} (${a.ended_at} > ${b.started_at})`)
    }
    return rows.length
  } finally {
    db.close()
  }
}

/** Final state after a graceful drain: nothing left executing, every interruption resolved. */
function checkFinal(statePath: string): number {
  const db = new Database(statePath, { readonly: true })
  try {
    const bad = db.prepare("SELECT id, status FROM runs WHERE status IN ('running','retrying')").all() as {
      id: number
      status: string
    }[]
    if (bad.length) fail(`runs left executing after a graceful stop: ${JSON.stringify(bad.slice(0, 5))}`)
    return (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n
  } finally {
    db.close()
  }
}

/** One lane: its own state and probe files, `kills` kill/restart cycles, then a graceful drain. */
async function runLane(
  entry: string[],
  dir: string,
  kills: number,
  o: CrashOptions,
  lane: number,
): Promise<CrashReport> {
  const statePath = join(dir, 'state.db')
  const probePath = join(dir, 'probe.db')
  const min = o.minDelayMs ?? 10
  const max = o.maxDelayMs ?? 250
  let leftRunning: number[] = []
  let interruptedSeen = 0
  let slowChildren = 0
  let current: ChildProcess | null = null
  try {
    for (let k = 0; k < kills; k++) {
      const c = startChild(entry, statePath, probePath, false)
      current = c.child
      if ((await watched(c.ready, c.child, statePath, probePath, o, `lane ${lane} start ${k + 1}`)) === 'slow')
        slowChildren++
      afterRestart(statePath, leftRunning)
      await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)))
      c.child.kill('SIGKILL')
      await c.exited
      leftRunning = afterKill(statePath)
      interruptedSeen += leftRunning.length
      if ((k + 1) % 10 === 0)
        o.log?.(`lane ${lane}: kill ${k + 1}/${kills}: ${interruptedSeen} runs caught executing so far`)
    }
    const d = startChild(entry, statePath, probePath, true)
    current = d.child
    if ((await watched(d.ready, d.child, statePath, probePath, o, `lane ${lane} drain`)) === 'slow') slowChildren++
    await d.exited
  } finally {
    // Never leave a child behind when a check fails.
    if (current && current.exitCode === null && current.signalCode === null) current.kill('SIGKILL')
  }
  afterRestart(statePath, leftRunning)
  const runs = checkFinal(statePath)
  const handlerCalls = checkNoOverlap(probePath)
  return { kills, interruptedSeen, runs, handlerCalls, slowChildren, statePath }
}

/**
 * Runs `kills` kill/restart cycles in total, spread over `lanes` independent children running side by side
 * (default 2: the cycles are mostly process start-up, which overlaps well), checking the invariants throughout.
 */
export async function runCrashHarness(o: CrashOptions): Promise<CrashReport> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'crash-'))
  const entry = await prepareChild(dir)
  const lanes = Math.max(1, Math.min(o.lanes ?? 2, o.kills))
  const reports = await Promise.all(
    Array.from({ length: lanes }, (_, l) => {
      const laneDir = join(dir, `lane-${l}`)
      mkdirSync(laneDir)
      const kills = Math.floor(o.kills / lanes) + (l < o.kills % lanes ? 1 : 0)
      return runLane(entry, laneDir, kills, o, l)
    }),
  )
  return {
    kills: reports.reduce((a, r) => a + r.kills, 0),
    interruptedSeen: reports.reduce((a, r) => a + r.interruptedSeen, 0),
    runs: reports.reduce((a, r) => a + r.runs, 0),
    handlerCalls: reports.reduce((a, r) => a + r.handlerCalls, 0),
    slowChildren: reports.reduce((a, r) => a + r.slowChildren, 0),
    statePath: dir,
  }
}
