// Applies the append-only PostgreSQL migrations in order, once each, under a session advisory lock so instances
// starting together do not race.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SyncPg } from './sync-pg.ts'

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations')
/** Arbitrary constant naming the migration lock. */
const MIGRATION_LOCK = 7_120_614_001

/** Applies pending migrations; returns the names applied now. */
export function applyPgMigrations(pg: SyncPg): string[] {
  const files = readdirSync(DIR)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
  pg.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
  try {
    pg.query('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)')
    const done = new Set(pg.query<{ name: string }>('SELECT name FROM schema_migrations').map((r) => r.name))
    const applied: string[] = []
    for (const f of files) {
      if (done.has(f)) continue
      // A file without parameters goes over the simple protocol, so it may hold several statements.
      pg.transaction([
        { sql: readFileSync(join(DIR, f), 'utf8') },
        { sql: 'INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', params: [f, Date.now()] },
      ])
      applied.push(f)
    }
    return applied
  } finally {
    pg.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
  }
}
