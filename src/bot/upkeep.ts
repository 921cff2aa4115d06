// The bot's own upkeep jobs: daily housekeeping and online backups, their task types, and the post-restore check.
import { mkdirSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { z } from 'zod'
import { createAuditLog } from '../access/audit-log.ts'
import type { BotConfig } from '../config/schema.ts'
import { BACKUP_PATTERN, backupDatabase } from '../housekeeping/backup.ts'
import { createHousekeeper, type Housekeeper } from '../housekeeping/housekeeper.ts'
import { pruneChartHistory } from '../history/index.ts'
import type { JobSpecInput } from '../scheduler/index.ts'
import type { TaskDefinition } from '../scheduler/index.ts'
import type { Scheduler } from '../scheduler/index.ts'
import type { Db } from '../store/database.ts'

/** Upkeep for one runtime. */
export interface Upkeep {
  housekeeper: Housekeeper
  backupDir: string
  tasks: TaskDefinition[]
  /** Default jobs for the config (none that the config already defines by id). */
  jobs: JobSpecInput[]
}

/** The backups directory: `backup.directory`, else `backups` beside the state file. */
export function defaultBackupDir(config: BotConfig, baseDir = process.cwd(), dbPath = config.store.path): string {
  const dir = config.backup.directory
  if (dir) return isAbsolute(dir) ? dir : resolve(baseDir, dir)
  return join(dirname(resolve(baseDir, dbPath)), 'backups')
}

const housekeepingArgs = z.strictObject({ dryRun: z.boolean().optional() }).optional()

/** Builds the housekeeper (config targets plus the backups directory) and the two task types. */
export function createUpkeep(o: {
  config: BotConfig
  db: Db
  dbPath: string
  scheduler: () => Scheduler
  baseDir?: string
}): Upkeep {
  const { config, db } = o
  const baseDir = o.baseDir ?? process.cwd()
  const backupDir = defaultBackupDir(config, baseDir, o.dbPath)
  mkdirSync(backupDir, { recursive: true })
  const keep = config.backup.keep
  const housekeeper = createHousekeeper({
    db,
    audit: createAuditLog(db),
    pruneRuns: () => o.scheduler().pruneHistory(),
    pruneHistory: (cutoff, dryRun) => pruneChartHistory(db, cutoff, dryRun),
    runRetentionDays: config.scheduler.retention.days,
    runRetentionCount: config.scheduler.retention.count,
    auditRetentionDays: config.housekeeping.auditRetentionDays,
    baseDir,
    configTargets: [
      ...config.housekeeping.cleanup,
      { directory: backupDir, pattern: BACKUP_PATTERN, maxFiles: keep, priority: 10 },
      { directory: backupDir, pattern: 'pre-restore-*.db', maxFiles: keep, priority: 10 },
    ],
  })
  const tasks: TaskDefinition[] = [
    {
      type: 'housekeeping',
      description: 'prune history and audit rows past retention, optimize SQLite, clean registered directories',
      argsSchema: housekeepingArgs,
      recovery: 'rerun',
      handler: async ({ args }) => housekeeper.run({ dryRun: housekeepingArgs.parse(args)?.dryRun }),
    },
    {
      type: 'backup',
      description: `online backup of the state database into ${backupDir} (newest ${keep} kept)`,
      recovery: 'rerun',
      handler: async () => backupDatabase(db, backupDir),
    },
  ]
  const taken = new Set(config.jobs.map((j) => j.id))
  const jobs: JobSpecInput[] = []
  if (config.housekeeping.enabled && !taken.has('housekeeping')) {
    jobs.push({
      id: 'housekeeping',
      taskType: 'housekeeping',
      trigger: config.housekeeping.trigger,
      priority: 'low',
      metadata: { builtin: true },
    })
  }
  if (!taken.has('backup'))
    jobs.push({
      id: 'backup',
      taskType: 'backup',
      trigger: config.backup.trigger,
      priority: 'low',
      metadata: { builtin: true },
    })
  return { housekeeper, backupDir, tasks, jobs }
}
