// Config of the bot's own upkeep: the daily housekeeping job (retention, SQLite upkeep, directory cleanup) and backups.
import { z } from 'zod'
import { cleanupTargetSchema } from '../housekeeping/cleanup-target.ts'
import { triggerSchema } from './triggers.ts'

/** `housekeeping`: on by default, daily at 03:00 (local time of the host). */
export const housekeepingSchema = z.strictObject({
  enabled: z.boolean().default(true),
  trigger: triggerSchema.default('daily_at_03:00'),
  auditRetentionDays: z.number().int().min(1).max(3650).default(90),
  cleanup: z.array(cleanupTargetSchema).default([]),
})

/** `backup`: online SQLite backups into `directory` (default: `backups` beside the state file), `keep` newest kept. */
export const backupSchema = z.strictObject({
  directory: z.string().min(1).optional(),
  /** When the backup job runs; `manual` keeps only `bot backup` and run-now. */
  trigger: triggerSchema.default('daily_at_02:30'),
  keep: z.number().int().min(1).max(1000).default(7),
})
