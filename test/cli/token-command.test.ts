// `bot token`: a new token is printed once and stored only as a hash; it verifies with its role until revoked.
import { afterAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTokenStore } from '../../src/access/token-store.ts'
import { openDatabase } from '../../src/store/database.ts'
import { runMain, tempDir } from './helpers.ts'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const dbPath = join(tmp.dir, 'state', 'bot.db')
const cfg = tmp.file('bot.json', JSON.stringify({ store: { path: dbPath } }))

describe('bot token', () => {
  it('creates, lists and revokes a token without storing it', async () => {
    const made = await runMain(['token', 'new', '--name', 'grafana', '--role', 'viewer', '--json', '--config', cfg])
    expect(made.code, made.stderr).toBe(0)
    const { token, role, name } = JSON.parse(made.stdout) as { token: string; role: string; name: string }
    expect({ role, name }).toEqual({ role: 'viewer', name: 'grafana' })
    expect(token).toMatch(/^bot_[A-Za-z0-9_-]{40,}$/)

    const listed = await runMain(['token', 'list', '--json', '--config', cfg])
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'grafana', role: 'viewer', revokedAt: null }])
    expect(listed.stdout).not.toContain(token)

    const db = openDatabase({ path: dbPath })
    try {
      const store = createTokenStore(db)
      expect(store.verify(token)).toEqual({ name: 'grafana', role: 'viewer' })
      db.pragma('wal_checkpoint(TRUNCATE)')
      expect(readFileSync(dbPath).includes(Buffer.from(token))).toBe(false)

      const dup = await runMain(['token', 'new', '--name', 'grafana', '--role', 'admin', '--config', cfg])
      expect(dup.code).not.toBe(0)
      expect(dup.stderr).toMatch(/already exists/)

      expect((await runMain(['token', 'revoke', 'grafana', '--config', cfg])).code).toBe(0)
      expect(store.verify(token)).toBeNull()
      const again = await runMain(['token', 'revoke', 'grafana', '--config', cfg])
      expect(again.code).toBe(2)
      expect(again.stderr).toMatch(/no active token named "grafana"/)
    } finally {
      db.close()
    }
  })

  it('rejects a missing name, an unknown role and an unknown action before touching the state', async () => {
    const noName = await runMain(['token', 'new', '--role', 'viewer', '--config', cfg])
    expect(noName.code).toBe(2)
    expect(noName.stderr).toMatch(/needs --name/)
    const badRole = await runMain(['token', 'new', '--name', 'x', '--role', 'root', '--config', cfg])
    expect(badRole.code).toBe(2)
    expect(badRole.stderr).toMatch(/--role must be one of viewer, operator, admin/)
    const badAction = await runMain(['token', 'rotate', '--config', cfg])
    expect(badAction.code).toBe(2)
  })
})
