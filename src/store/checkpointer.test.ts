// Background WAL checkpoints against a real SQLite file: the writer's own checkpoints are off, and the worker's
// keep the WAL from growing.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startCheckpointer } from './checkpointer.ts'
import { openDatabase, type Db } from './database.ts'

describe('background checkpointer', () => {
  let dir: string
  let db: Db | undefined
  afterEach(() => {
    if (db?.open) db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("turns the writer's automatic checkpoints off and checkpoints from its worker, so the WAL is reused", async () => {
    dir = mkdtempSync(join(tmpdir(), 'ckpt-'))
    const path = join(dir, 'state.db')
    db = openDatabase({ path })
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)')
    const batch = () =>
      db!.transaction(() => {
        for (let i = 0; i < 3_000; i++) insert.run('x'.repeat(200))
      })()
    const walSize = () => statSync(`${path}-wal`).size
    // Without the worker (automatic checkpoints off), a second batch grows the WAL.
    db.pragma('wal_autocheckpoint = 0')
    batch()
    const first = walSize()
    batch()
    expect(walSize()).toBeGreaterThan(first * 1.5)
    // With it: the worker checkpoints, the writer restarts the WAL from its start, and the file stops growing.
    const c = startCheckpointer(db, { intervalMs: 100 })
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
    const grown = walSize()
    await new Promise((r) => setTimeout(r, 800))
    batch()
    batch()
    expect(walSize()).toBeLessThanOrEqual(grown)
    await c.stop()
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 12_000 })
  })
})
