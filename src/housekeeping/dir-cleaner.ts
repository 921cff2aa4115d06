// Removes the files of one cleanup target that its policy says must go; only regular files directly inside it.
import { lstatSync, readdirSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { globToRegExp, safeCleanupDirectory, type CleanupTarget } from './cleanup-target.ts'

/** One file the policy removes, and why. */
export interface RemovedFile {
  name: string
  bytes: number
  reason: 'age' | 'count' | 'size'
}

/** What cleaning (or planning to clean) one target found. */
export interface CleanupResult {
  directory: string
  pattern: string
  removed: RemovedFile[]
  removedBytes: number
  kept: number
  keptBytes: number
  /** Set when the target was refused or could not be read; nothing was removed then. */
  error?: string
}

/**
 * Applies the policy: age first, then count, then total size, always removing the oldest first. Symlinks,
 * directories and other non-regular entries are never touched or followed. With `dryRun` nothing is removed.
 */
export function cleanTarget(
  target: CleanupTarget,
  o: { now: number; dryRun: boolean; baseDir: string },
): CleanupResult {
  const base: CleanupResult = {
    directory: target.directory,
    pattern: target.pattern,
    removed: [],
    removedBytes: 0,
    kept: 0,
    keptBytes: 0,
  }
  let dir: string
  try {
    dir = safeCleanupDirectory(target.directory, o.baseDir)
  } catch (err) {
    return { ...base, error: (err as Error).message }
  }
  const match = globToRegExp(target.pattern)
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && match.test(e.name))
    .map((e) => {
      const st = lstatSync(join(dir, e.name))
      return { name: e.name, bytes: st.size, mtimeMs: st.mtimeMs, regular: st.isFile() }
    })
    .filter((f) => f.regular)
    .sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name))
  const doomed = new Map<string, RemovedFile['reason']>()
  if (target.retentionDays !== undefined) {
    const cutoff = o.now - target.retentionDays * 86_400_000
    for (const f of files) if (f.mtimeMs < cutoff) doomed.set(f.name, 'age')
  }
  let survivors = files.filter((f) => !doomed.has(f.name))
  if (target.maxFiles !== undefined) {
    for (const f of survivors.slice(target.maxFiles)) doomed.set(f.name, 'count')
    survivors = survivors.slice(0, target.maxFiles)
  }
  if (target.maxSizeMb !== undefined) {
    const budget = target.maxSizeMb * 1024 * 1024
    let total = survivors.reduce((s, f) => s + f.bytes, 0)
    for (const f of [...survivors].reverse()) {
      if (total <= budget) break
      doomed.set(f.name, 'size')
      total -= f.bytes
    }
  }
  const result = { ...base, directory: dir }
  for (const f of files) {
    const reason = doomed.get(f.name)
    if (!reason) {
      result.kept++
      result.keptBytes += f.bytes
      continue
    }
    if (!o.dryRun) {
      // Checked again right before unlinking: a file swapped for a symlink since the listing is left alone.
      const now = lstatSync(join(dir, f.name), { throwIfNoEntry: false })
      if (!now?.isFile()) continue
      unlinkSync(join(dir, f.name))
    }
    result.removed.push({ name: f.name, bytes: f.bytes, reason })
    result.removedBytes += f.bytes
  }
  return result
}
