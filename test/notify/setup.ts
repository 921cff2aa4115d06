// Shared set-up of the notify tests: four channels pointed at one local receiver, a real SQLite file, a captured log.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, type Logger } from '../../src/logging/logger.ts'
import { notifySchema, type NotifyConfig } from '../../src/notify/index.ts'
import { openDatabase, type Db } from '../../src/store/database.ts'
import type { Receiver } from './receiver.ts'

/** Secret values of the test channels: none may appear in a payload, the database or a log line. */
export function channelEnv(rx: Receiver): Record<string, string> {
  return {
    HOOK_URL: `${rx.url}/hook/path-token-5c9f2e81aa`,
    HOOK_SECRET: 'whsec-41f09d2b7c3e8a65d0b1',
    TG_TOKEN: '7001234567:AAH-telegram-token-9f8e7d',
    TG_CHAT: '-1001234567890',
    DISCORD_URL: `${rx.url}/api/webhooks/1234/discord-token-77ab21`,
    SLACK_URL: `${rx.url}/services/T000/B000/slack-token-3c4d5e`,
  }
}

/** The secret parts of `channelEnv` as they could leak (tokens, URL paths, the signing key). */
export const SECRET_PARTS = [
  'path-token-5c9f2e81aa',
  'whsec-41f09d2b7c3e8a65d0b1',
  'AAH-telegram-token-9f8e7d',
  'discord-token-77ab21',
  'slack-token-3c4d5e',
]

/** A `notify:` section with the four channels (every event, from `info`) and the given overrides. */
export function notifyConfig(rx: Receiver, over: Record<string, unknown> = {}): NotifyConfig {
  return notifySchema.parse({
    channels: [
      { name: 'hook', type: 'webhook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET', minSeverity: 'info' },
      {
        name: 'tg',
        type: 'telegram',
        tokenEnv: 'TG_TOKEN',
        chatIdEnv: 'TG_CHAT',
        apiBase: rx.url,
        minSeverity: 'info',
      },
      { name: 'discord', type: 'discord', urlEnv: 'DISCORD_URL', minSeverity: 'info' },
      { name: 'slack', type: 'slack', urlEnv: 'SLACK_URL', minSeverity: 'info' },
    ],
    retry: { baseDelay: 10, maxDelay: 40 },
    ...over,
  })
}

/** A temporary state database and a logger whose JSON lines are kept in `logs`. */
export function tempState(): { db: Db; path: string; logger: Logger; logs: string[]; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'notify-'))
  const path = join(dir, 'bot.db')
  const db = openDatabase({ path })
  const logs: string[] = []
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(s) } })
  return {
    db,
    path,
    logger,
    logs,
    cleanup: () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
