// What a registered cleanup directory is allowed to lose: by age, count and total size; validated and made safe.
import { lstatSync, realpathSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, parse, resolve } from 'node:path'
import { z } from 'zod'
import { AppError } from '../errors/app-error.ts'

/** A directory to clean: files matching `pattern` go when older than `retentionDays`, beyond `maxFiles` (oldest
 * first) or while the matching files exceed `maxSizeMb` (oldest first). Higher `priority` directories go first. */
export const cleanupTargetSchema = z
  .strictObject({
    directory: z.string().min(1, { error: 'directory: give the directory to clean' }),
    pattern: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^/\\]+$/, { error: 'pattern: a file-name glob without "/", e.g. "*.log"' })
      .default('*'),
    retentionDays: z.number().positive({ error: 'retentionDays: a positive number of days' }).optional(),
    maxFiles: z.number().int().positive({ error: 'maxFiles: a positive whole number' }).optional(),
    maxSizeMb: z.number().positive({ error: 'maxSizeMb: a positive number of MiB' }).optional(),
    priority: z.number().int().min(-100).max(100).default(0),
  })
  .refine((t) => t.retentionDays !== undefined || t.maxFiles !== undefined || t.maxSizeMb !== undefined, {
    error: 'give at least one of retentionDays, maxFiles or maxSizeMb (otherwise nothing would ever be removed)',
  })

/** A validated cleanup target. */
export type CleanupTarget = z.output<typeof cleanupTargetSchema>

/** Why a directory is refused as a cleanup target. */
export class UnsafeCleanupTargetError extends AppError {
  constructor(directory: string, why: string) {
    super('CLEANUP_UNSAFE', `refusing to clean ${directory}: ${why}`, {
      hint: 'register a dedicated directory such as .state/logs',
    })
  }
}

/**
 * The absolute, real path of a target directory, refusing `/`, the home directory (and anything above it), a
 * symlink, and anything that is not a directory. `baseDir` resolves relative paths.
 */
export function safeCleanupDirectory(directory: string, baseDir: string): string {
  const abs = isAbsolute(directory) ? resolve(directory) : resolve(baseDir, directory)
  let st
  try {
    st = lstatSync(abs)
  } catch {
    throw new UnsafeCleanupTargetError(abs, 'it does not exist')
  }
  if (st.isSymbolicLink()) throw new UnsafeCleanupTargetError(abs, 'it is a symlink (symlinks are never followed)')
  if (!st.isDirectory()) throw new UnsafeCleanupTargetError(abs, 'it is not a directory')
  const real = realpathSync(abs)
  if (real === parse(real).root) throw new UnsafeCleanupTargetError(abs, 'it is the file system root')
  const home = safeRealpath(homedir())
  if (home && (real === home || home.startsWith(`${real}/`)))
    throw new UnsafeCleanupTargetError(abs, 'it is the home directory or contains it')
  return real
}

/** The glob as a regular expression over one file name: `*` any run of characters, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`)
}

function safeRealpath(p: string): string | null {
  try {
    return realpathSync(p)
  } catch {
    return null
  }
}
