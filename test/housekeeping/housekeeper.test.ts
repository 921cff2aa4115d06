// The housekeeper on a real directory tree and a real SQLite file: it removes exactly what each policy says,
// oldest first, never through a symlink or outside the registered directory; a dry run removes nothing.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createAuditLog } from '../../src/access/audit-log.ts'
import { UnsafeCleanupTargetError, safeCleanupDirectory } from '../../src/housekeeping/cleanup-target.ts'
import { cleanTarget } from '../../src/housekeeping/dir-cleaner.ts'
import { createHousekeeper } from '../../src/housekeeping/housekeeper.ts'
import { openDatabase } from '../../src/store/database.ts'

const root = mkdtempSync(join(tmpdir(), 'bot-hk-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const NOW = Date.UTC(2026, 10, 23, 3, 0, 0)
const DAY = 86_400_000

/** Writes `name` with `kb` KiB, last modified `ageDays` ago. */
function file(dir: string, name: string, kb: number, ageDays: number): string {
  const p = join(dir, name)
  writeFileSync(p, Buffer.alloc(kb * 1024, 1))
  const t = (NOW - ageDays * DAY) / 1000
  utimesSync(p, t, t)
  return p
}

function tree(name: string) {
  const dir = join(root, name)
  const outside = join(root, `${name}-outside`)
  mkdirSync(join(dir, 'nested'), { recursive: true })
  mkdirSync(outside, { recursive: true })
  file(dir, 'a.log', 10, 1)
  file(dir, 'b.log', 10, 2)
  file(dir, 'c.log', 10, 3)
  file(dir, 'd.log', 10, 5)
  file(dir, 'old.log', 10, 40)
  file(dir, 'keep.txt', 10, 100)
  file(join(dir, 'nested'), 'deep.log', 10, 100)
  const victim = file(outside, 'victim.log', 10, 100)
  symlinkSync(victim, join(dir, 'link.log'))
  return { dir, outside, victim }
}

describe('directory cleanup', () => {
  it('removes by age, then count, then size, oldest first; nothing else', () => {
    const t = tree('policy')
    const r = cleanTarget(
      { directory: t.dir, pattern: '*.log', retentionDays: 30, maxFiles: 3, maxSizeMb: 25 / 1024, priority: 0 },
      { now: NOW, dryRun: false, baseDir: root },
    )
    expect(r.error).toBeUndefined()
    expect(r.removed.map((f) => [f.name, f.reason])).toEqual([
      ['c.log', 'size'],
      ['d.log', 'count'],
      ['old.log', 'age'],
    ])
    expect(r.removedBytes).toBe(30 * 1024)
    expect(r.kept).toBe(2)
    for (const f of ['a.log', 'b.log', 'keep.txt', 'nested/deep.log', 'link.log'])
      expect(existsSync(join(t.dir, f)), f).toBe(true)
    for (const f of ['c.log', 'd.log', 'old.log']) expect(existsSync(join(t.dir, f)), f).toBe(false)
    expect(existsSync(t.victim)).toBe(true)
  })

  it('a dry run reports the same plan and removes nothing', () => {
    const t = tree('dry')
    const target = {
      directory: t.dir,
      pattern: '*.log',
      retentionDays: 30,
      maxFiles: 3,
      maxSizeMb: 25 / 1024,
      priority: 0,
    }
    const dry = cleanTarget(target, { now: NOW, dryRun: true, baseDir: root })
    expect(dry.removed.map((f) => f.name)).toEqual(['c.log', 'd.log', 'old.log'])
    for (const f of ['a.log', 'b.log', 'c.log', 'd.log', 'old.log']) expect(existsSync(join(t.dir, f))).toBe(true)
  })

  it('refuses /, the home directory, a symlinked directory and a missing one', () => {
    const t = tree('refuse')
    const linkDir = join(root, 'dir-link')
    symlinkSync(t.outside, linkDir)
    for (const bad of ['/', homedir(), linkDir, join(root, 'missing')]) {
      expect(() => safeCleanupDirectory(bad, root), bad).toThrow(UnsafeCleanupTargetError)
    }
    const r = cleanTarget(
      { directory: linkDir, pattern: '*', maxFiles: 1, priority: 0 },
      { now: NOW, dryRun: false, baseDir: root },
    )
    expect(r.error).toMatch(/symlink/)
    expect(existsSync(t.victim)).toBe(true)
  })
})

describe('housekeeper', () => {
  it('prunes audit rows past retention, checkpoints the WAL, cleans targets in priority order, and keeps registrations', () => {
    const db = openDatabase({ path: join(root, 'state', 'bot.db') })
    try {
      const actor = { name: 'ops', role: 'operator' as const, source: 'http' as const }
      const oldAudit = createAuditLog(db, () => NOW - 100 * DAY)
      for (let i = 0; i < 3; i++) oldAudit.record({ actor, action: 'job.run', outcome: 'ok' })
      createAuditLog(db, () => NOW - DAY).record({ actor, action: 'job.run', outcome: 'ok' })
      const low = tree('low')
      const high = tree('high')
      let pruneCalls = 0
      const deps = {
        db,
        audit: createAuditLog(db),
        pruneRuns: () => {
          pruneCalls++
          return 0
        },
        runRetentionDays: 30,
        runRetentionCount: 100,
        auditRetentionDays: 90,
        configTargets: [{ directory: low.dir, pattern: '*.log', retentionDays: 30, priority: 0 }],
        baseDir: root,
        now: () => NOW,
      }
      const hk = createHousekeeper(deps)
      hk.register({ directory: high.dir, pattern: 'old.*', maxFiles: 1, priority: 5 })
      expect(() => hk.register({ directory: high.dir })).toThrow(/at least one of retentionDays, maxFiles or maxSizeMb/)
      expect(() => hk.register({ directory: '/', maxFiles: 1 })).toThrow(/file system root/)

      const dry = hk.run({ dryRun: true })
      expect(dry.auditPruned).toBe(3)
      expect(pruneCalls).toBe(0)
      expect((db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n).toBe(4)

      const report = createHousekeeper(deps).run()
      expect(report.auditPruned).toBe(3)
      expect(pruneCalls).toBe(1)
      expect(report.database.walCheckpoint).not.toBeNull()
      expect(report.directories.map((d) => d.directory)).toEqual([high.dir, low.dir])
      expect(report.directories[0]!.removed).toEqual([])
      expect(report.directories[1]!.removed.map((f) => f.name)).toEqual(['old.log'])
      expect((db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n).toBe(1)
    } finally {
      db.close()
    }
  })
})
