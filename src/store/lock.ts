// Single-instance guard: an exclusive SQLite lock beside the state database; the OS frees it when the holder dies.
import Database from 'better-sqlite3'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, resolve } from 'node:path'
import { AppError } from '../errors/app-error.ts'

/** Another `bot` process holds the state this one would use; exit code 2 (nothing was started). */
export class LockHeldError extends AppError {
  override name = 'LockHeldError'
  constructor(message: string, hint: string, details: Record<string, unknown>) {
    super('STATE_LOCKED', message, { retryable: false, hint, details })
  }
}

/** A held lock; `release` is idempotent and also runs on process exit. */
export interface StateLock {
  /** The lock file (`<state db>.lock`). */
  path: string
  release(): void
}

/** Who holds a lock, as written in `<lock>.owner` for the refusal message. */
export interface LockOwner {
  pid: number
  host: string
  startedAt: string
}

/**
 * Takes the exclusive lock for the state database at `dbPath`, or throws LockHeldError naming the holder.
 * It is an exclusive transaction on `<dbPath>.lock` (an fcntl lock underneath), so the kernel releases it
 * when the holder exits in any way, SIGKILL included: no stale-PID guessing, no PID-reuse race.
 * A relative `dbPath` is resolved against `cwd`.
 */
export function acquireStateLock(dbPath: string, cwd: string = process.cwd()): StateLock {
  if (dbPath === ':memory:') return { path: ':memory:', release() {} }
  const full = resolve(cwd, dbPath)
  const path = `${full}.lock`
  const ownerPath = `${path}.owner`
  let db: Database.Database
  try {
    mkdirSync(dirname(path), { recursive: true })
    db = new Database(path)
    db.pragma('busy_timeout = 0')
  } catch (cause) {
    throw new AppError('STATE_LOCK_OPEN', `cannot create the lock file ${path}`, {
      cause,
      hint: 'check that the state directory (store.path) is writable by this user',
    })
  }
  try {
    db.exec('BEGIN EXCLUSIVE')
  } catch (err) {
    db.close()
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err
    const owner = readOwner(ownerPath)
    const who = owner ? `pid ${owner.pid} on ${owner.host}, running since ${owner.startedAt}` : 'another process'
    throw new LockHeldError(
      `another bot is already running on the state ${full} (${who}); refusing to start a second one`,
      'stop the other instance first (e.g. `systemctl stop airdrops`), or give this one its own store.path',
      { lock: path, ...(owner ? { ownerPid: owner.pid } : {}) },
    )
  }
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }
  writeFileSync(ownerPath, `${JSON.stringify(me)}\n`, { mode: 0o644 })
  let released = false
  const release = () => {
    if (released) return
    released = true
    process.off('exit', release)
    if (readOwner(ownerPath)?.pid === process.pid) rmSync(ownerPath, { force: true })
    try {
      db.exec('ROLLBACK')
    } finally {
      db.close()
    }
  }
  process.on('exit', release)
  return { path, release }
}

/** The owner record of a lock, or undefined when missing or unreadable. */
export function readOwner(ownerPath: string): LockOwner | undefined {
  try {
    const v = JSON.parse(readFileSync(ownerPath, 'utf8')) as Partial<LockOwner>
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string'
      ? { pid: v.pid, host: v.host, startedAt: v.startedAt }
      : undefined
  } catch {
    return undefined
  }
}
