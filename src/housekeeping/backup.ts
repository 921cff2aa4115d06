// Online backups of the state database (SQLite's backup API: the bot keeps running) and a checked restore.
import Database from 'better-sqlite3'
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { AppError } from '../errors/app-error.ts'
import { openDatabase, type Db } from '../store/database.ts'

/** A written backup. */
export interface BackupResult {
  path: string
  bytes: number
  takenAt: number
  integrity: 'ok'
}

/** File name of a backup taken at `at`: sortable, and matched by the backups directory's cleanup pattern. */
export function backupFileName(at: number): string {
  return `bot-${new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.db`
}

/** Glob the backups directory is cleaned with. */
export const BACKUP_PATTERN = 'bot-*.db'

/**
 * Copies the live database to `target` (a `.db`/`.sqlite` file; anything else is a directory that gets a
 * timestamped file) through a temporary file that is
 * integrity-checked before it is renamed into place, so a half-written backup never looks like a good one.
 */
export async function backupDatabase(db: Db, target: string, now: () => number = Date.now): Promise<BackupResult> {
  const takenAt = now()
  const isDir = existsSync(target) ? statSync(target).isDirectory() : !/\.(db|sqlite3?)$/i.test(target)
  const path = isDir ? join(target, backupFileName(takenAt)) : target
  if (existsSync(path))
    throw new AppError('BACKUP_EXISTS', `${path} already exists`, { hint: 'give a new file name or a directory' })
  mkdirSync(dirname(path), { recursive: true })
  const tmp = join(dirname(path), `.${basename(path)}.partial`)
  rmSync(tmp, { force: true })
  try {
    await db.backup(tmp)
    checkIntegrity(tmp)
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err instanceof AppError
      ? err
      : new AppError('BACKUP_FAILED', `backup to ${path} failed: ${(err as Error).message}`, { cause: err })
  }
  return { path, bytes: statSync(path).size, takenAt, integrity: 'ok' }
}

/** Throws unless `path` is a SQLite database whose `PRAGMA integrity_check` is ok and that has the bot's tables. */
export function checkIntegrity(path: string): void {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    const r = db.pragma('integrity_check', { simple: true })
    if (r !== 'ok')
      throw new AppError('BACKUP_CORRUPT', `${path} fails its integrity check: ${String(r).slice(0, 200)}`, {
        hint: 'use another backup',
      })
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
    )
    for (const t of ['jobs', 'runs', 'tx_intents']) {
      if (!tables.has(t))
        throw new AppError('BACKUP_NOT_BOT_STATE', `${path} is not a bot state database (no table ${t})`, {
          hint: 'pick a file written by `bot backup`',
        })
    }
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new AppError('BACKUP_UNREADABLE', `${path} cannot be read as a SQLite database: ${(err as Error).message}`, {
      hint: 'pick a file written by `bot backup`',
    })
  } finally {
    db?.close()
  }
}

/**
 * Replaces the state at `statePath` with the backup (the caller holds the state lock, so no bot runs on it).
 * The current state is first saved beside the backups as `pre-restore-<time>.db`. The restored state is marked,
 * so the next start compares each wallet's chain nonce with the journal before anything is sent.
 */
export async function restoreDatabase(
  backupPath: string,
  statePath: string,
  o: { safetyDir: string; now?: () => number },
): Promise<{ restoredFrom: string; previousSavedAs: string | null }> {
  checkIntegrity(backupPath)
  const at = (o.now ?? Date.now)()
  let previousSavedAs: string | null = null
  if (existsSync(statePath)) {
    const current = new Database(statePath, { fileMustExist: true })
    try {
      previousSavedAs = join(o.safetyDir, `pre-restore-${backupFileName(at).slice(4)}`)
      mkdirSync(o.safetyDir, { recursive: true })
      await current.backup(previousSavedAs)
    } finally {
      current.close()
    }
  }
  mkdirSync(dirname(statePath), { recursive: true })
  const source = new Database(backupPath, { readonly: true, fileMustExist: true })
  try {
    await source.backup(statePath)
  } finally {
    source.close()
  }
  // Opened through openDatabase so an older backup gets the current migrations before it is marked.
  const restored = openDatabase({ path: statePath, mustExist: true })
  try {
    restored.prepare('INSERT INTO restore_marker (restored_at, backup_path) VALUES (?, ?)').run(at, backupPath)
  } finally {
    restored.close()
  }
  return { restoredFrom: backupPath, previousSavedAs }
}
