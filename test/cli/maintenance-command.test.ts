// `bot backup`, `bot housekeeping` and `bot restore` on a real state file through the real CLI services.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { noopTask } from '../../src/scheduler/index.ts'
import { createScheduler } from '../../src/scheduler/index.ts'
import { createSqliteSchedulerStore } from '../../src/store/sqlite-scheduler-store.ts'
import { runMain, tempDir } from './helpers.ts'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const dbPath = join(tmp.dir, 'state', 'bot.db')
const logs = join(tmp.dir, 'logs')
const cfg = tmp.file(
  'bot.json',
  JSON.stringify({
    store: { path: dbPath },
    scheduler: { retention: { count: 1 } },
    backup: { keep: 2 },
    housekeeping: { cleanup: [{ directory: logs, pattern: '*.log', maxFiles: 1 }] },
  }),
)

describe('maintenance commands', () => {
  it('backs up online, keeps the newest backups, cleans registered logs, and restore asks for confirmation', async () => {
    // Three finished runs of one job; retention keeps the newest one.
    const sched = createScheduler({ store: createSqliteSchedulerStore({ path: dbPath }) })
    sched.registerTask(noopTask)
    sched.addJob({ id: 'n', taskType: 'noop', trigger: 'manual' })
    for (let i = 0; i < 3; i++) await sched.runOnce()
    await sched.stop()
    mkdirSync(logs, { recursive: true })
    writeFileSync(join(logs, 'old.log'), 'x')
    writeFileSync(join(logs, 'new.log'), 'y')
    const past = new Date(Date.now() - 60_000)
    await import('node:fs').then((fs) => fs.utimesSync(join(logs, 'old.log'), past, past))

    const backups: string[] = []
    for (let i = 0; i < 3; i++) {
      const b = await runMain(['backup', join(tmp.dir, 'state', 'backups', `bot-${i}.db`), '--json', '--config', cfg])
      expect(b.code, b.stderr).toBe(0)
      backups.push((JSON.parse(b.stdout) as { path: string; integrity: string }).path)
    }
    const dry = await runMain(['housekeeping', '--dry-run', '--json', '--config', cfg])
    expect(dry.code, dry.stderr).toBe(0)
    const plan = JSON.parse(dry.stdout) as {
      runsPruned: number
      directories: { directory: string; pattern: string; removed: { name: string }[] }[]
    }
    expect(plan.runsPruned).toBe(2)
    expect(plan.directories.find((d) => d.pattern === 'bot-*.db')!.removed.map((f) => f.name)).toEqual(['bot-0.db'])
    expect(existsSync(backups[0]!)).toBe(true)

    const done = await runMain(['housekeeping', '--json', '--config', cfg])
    expect(done.code, done.stderr).toBe(0)
    expect(JSON.parse(done.stdout)).toMatchObject({ dryRun: false, runsPruned: 2 })
    const again = await runMain(['housekeeping', '--config', cfg])
    expect(again.stdout).toMatch(/runs removed: 0/)
    expect(
      JSON.parse(done.stdout).directories.find((d: { pattern: string }) => d.pattern === 'bot-*.db').removed,
    ).toHaveLength(1)
    expect(existsSync(backups[0]!)).toBe(false)
    expect(existsSync(backups[2]!)).toBe(true)
    expect(existsSync(join(logs, 'old.log'))).toBe(false)
    expect(existsSync(join(logs, 'new.log'))).toBe(true)

    const unconfirmed = await runMain(['restore', backups[2]!, '--config', cfg])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toMatch(/--yes/)
    const notBot = tmp.file('not-a-db.db', 'hello')
    const bad = await runMain(['restore', notBot, '--yes', '--config', cfg])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/cannot be read as a SQLite database|not a bot state/)
    const ok = await runMain(['restore', backups[2]!, '--yes', '--config', cfg])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/previous state saved as .*pre-restore-/)
  })
})
