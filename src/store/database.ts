// Opens the bot's SQLite state file with the pragmas durability needs, and applies append-only migrations.
import Database from 'better-sqlite3'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AppError } from '../errors/app-error.ts'

/** The better-sqlite3 handle type used across the store modules. */
export type Db = Database.Database

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations')

/** Options for opening the state database. */
export interface OpenDatabaseOptions {
  /** `:memory:` for tests that need no file. */
  path: string
  /** Refuse to create a missing file (used by read-only CLI commands). */
  mustExist?: boolean
}

/**
 * Opens (creating if needed) the database, sets WAL and a busy timeout, and applies pending migrations.
 * WAL keeps readers (CLI, HTTP API) from blocking the scheduler's writer.
 */
export function openDatabase(options: OpenDatabaseOptions): Db {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true })
  let db: Db
  try {
    db = new Database(options.path, { fileMustExist: options.mustExist ?? false })
  } catch (cause) {
    throw new AppError('STORE_OPEN', `cannot open state database ${options.path}`, {
      cause,
      hint: 'check the path and its permissions, or run `bot run` once to create it',
    })
  }
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  applyMigrations(db)
  return db
}

/** Names of the migration files shipped with this build, in the order they apply. */
export function listMigrations(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
}

/** Applies every migration not yet recorded, each in its own transaction; earlier files are never edited. */
export function applyMigrations(db: Db): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`)
  const done = new Set(
    db
      .prepare('SELECT name FROM schema_migrations')
      .all()
      .map((r) => (r as { name: string }).name),
  )
  const applied: string[] = []
  const record = db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)')
  for (const name of listMigrations()) {
    if (done.has(name)) continue
    const sql = readFileSync(join(MIGRATIONS_DIR, name), 'utf8')
    db.transaction(() => {
      db.exec(sql)
      record.run(name, Date.now())
    }).immediate()
    applied.push(name)
  }
  return applied
}
