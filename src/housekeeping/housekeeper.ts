// The housekeeper: prunes run history and audit rows past retention, keeps SQLite lean, and cleans registered
// directories in priority order. Registrations made at run time are stored, so they survive restarts.
import type { Db } from '../store/database.ts'
import type { AuditLog } from '../access/audit-log.ts'
import { cleanupTargetSchema, safeCleanupDirectory, type CleanupTarget } from './cleanup-target.ts'
import { cleanTarget, type CleanupResult } from './dir-cleaner.ts'
import { AppError } from '../errors/app-error.ts'
import { UNFINISHED_RUN_SQL } from '../store/sqlite-batch.mjs'

/** What one housekeeping pass did (or, dry, would do). */
export interface HousekeepingReport {
  dryRun: boolean
  at: number
  /** Runs deleted by the retention setting (age and count per job), or in a dry run those it would delete. */
  runsPruned: number
  auditPruned: number
  /** Chart-history rows (base fees, balances, fees, due-time base fees) older than the run retention. */
  historyPruned: number
  database: { optimized: boolean; walCheckpoint: { busy: number; log: number; checkpointed: number } | null }
  directories: CleanupResult[]
}

/** What the housekeeper works on. */
export interface HousekeeperDeps {
  db: Db
  audit: Pick<AuditLog, 'prune'>
  /** The scheduler's own retention pruning (it knows what must be kept per job). */
  pruneRuns(): number
  /** Deletes (or, dry, counts) chart-history rows older than the cutoff; absent: nothing to prune. */
  pruneHistory?(cutoff: number, dryRun: boolean): number
  runRetentionDays: number
  /** Finished runs kept per job (the newest ones). */
  runRetentionCount: number
  auditRetentionDays: number
  /** Targets from config (not stored). */
  configTargets: readonly CleanupTarget[]
  /** Relative directories resolve against this. */
  baseDir: string
  now?: () => number
}

/** The housekeeper's operations. */
export interface Housekeeper {
  /** Validates, checks the directory is safe, and stores the target (same directory + pattern replaces it). */
  register(raw: unknown): CleanupTarget
  targets(): CleanupTarget[]
  run(options?: { dryRun?: boolean }): HousekeepingReport
}

interface TargetRow {
  directory: string
  pattern: string
  retention_days: number | null
  max_files: number | null
  max_size_mb: number | null
  priority: number
}

/** Creates the housekeeper over migration 0006's `cleanup_targets`. */
export function createHousekeeper(deps: HousekeeperDeps): Housekeeper {
  const now = deps.now ?? Date.now
  const stored = (): CleanupTarget[] =>
    (deps.db.prepare('SELECT * FROM cleanup_targets ORDER BY created_at').all() as TargetRow[]).map((r) => ({
      directory: r.directory,
      pattern: r.pattern,
      retentionDays: r.retention_days ?? undefined,
      maxFiles: r.max_files ?? undefined,
      maxSizeMb: r.max_size_mb ?? undefined,
      priority: r.priority,
    }))
  const all = () => [...deps.configTargets, ...stored()]
  return {
    register(raw) {
      const parsed = cleanupTargetSchema.safeParse(raw)
      if (!parsed.success) {
        throw new AppError('CLEANUP_INVALID', parsed.error.issues.map((i) => i.message).join('; '), {
          hint: 'see config/README.md "housekeeping"',
        })
      }
      const t = { ...parsed.data, directory: safeCleanupDirectory(parsed.data.directory, deps.baseDir) }
      deps.db
        .prepare(
          `INSERT INTO cleanup_targets (directory, pattern, retention_days, max_files, max_size_mb, priority, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (directory, pattern) DO UPDATE SET retention_days = excluded.retention_days,
        max_files = excluded.max_files, max_size_mb = excluded.max_size_mb, priority = excluded.priority`,
        )
        .run(
          t.directory,
          t.pattern,
          t.retentionDays ?? null,
          t.maxFiles ?? null,
          t.maxSizeMb ?? null,
          t.priority,
          now(),
        )
      return t
    },
    targets: all,
    run(o = {}) {
      const dryRun = o.dryRun === true
      const at = now()
      const runCutoff = at - deps.runRetentionDays * 86_400_000
      const auditCutoff = at - deps.auditRetentionDays * 86_400_000
      // Runs still in progress are never history, whatever their age (the store's own condition for them).
      const runsPruned = dryRun
        ? (
            deps.db
              .prepare(
                `SELECT COUNT(*) AS n FROM (SELECT status, recovery, ended_at, created_at,
            ROW_NUMBER() OVER (PARTITION BY job_id ORDER BY id DESC) AS rn FROM runs)
            WHERE NOT ${UNFINISHED_RUN_SQL}
              AND (COALESCE(ended_at, created_at) < ? OR rn > ?)`,
              )
              .get(runCutoff, deps.runRetentionCount) as { n: number }
          ).n
        : deps.pruneRuns()
      const auditPruned = dryRun
        ? (deps.db.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE at < ?').get(auditCutoff) as { n: number }).n
        : deps.audit.prune(auditCutoff)
      const historyPruned = deps.pruneHistory?.(runCutoff, dryRun) ?? 0
      let walCheckpoint: HousekeepingReport['database']['walCheckpoint'] = null
      if (!dryRun) {
        deps.db.pragma('optimize')
        const cp = deps.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[]
        walCheckpoint = cp[0] ?? null
      }
      const directories = [...all()]
        .sort((a, b) => b.priority - a.priority)
        .map((t) => cleanTarget(t, { now: at, dryRun, baseDir: deps.baseDir }))
      return {
        dryRun,
        at,
        runsPruned,
        auditPruned,
        historyPruned,
        database: { optimized: !dryRun, walCheckpoint },
        directories,
      }
    },
  }
}
