// `bot notify test [channel]` through the real CLI entry: delivers to each channel, names a missing env var.
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runMain, tempDir } from '../cli/helpers.ts'
import { startReceiver, type Receiver } from './receiver.ts'
import { channelEnv, SECRET_PARTS } from './setup.ts'

const tmp = tempDir('bot-notify-')
let rx: Receiver
let cfg: string
beforeAll(async () => {
  rx = await startReceiver()
  cfg = tmp.file(
    'bot.json',
    JSON.stringify({
      store: { path: join(tmp.dir, 'state', 'bot.db') },
      notify: {
        channels: [
          { name: 'ops', type: 'webhook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET' },
          { name: 'phone', type: 'telegram', tokenEnv: 'TG_TOKEN', chatId: 42, apiBase: rx.url },
        ],
      },
    }),
  )
})
afterAll(async () => {
  await rx.close()
  tmp.cleanup()
})

it('sends a test message to every channel, or to the one named', async () => {
  const env = { PATH: process.env.PATH, ...channelEnv(rx) }
  const all = await runMain(['notify', 'test', '--config', cfg], { env })
  expect(all.stderr).toBe('')
  expect(all.code).toBe(0)
  expect(all.stdout).toMatch(/ops\s+delivered \(HTTP 200\)/)
  expect(all.stdout).toMatch(/phone\s+delivered \(HTTP 200\)/)
  expect(rx.requests.map((r) => r.path.split('/')[1]!.slice(0, 3)).sort()).toEqual(['bot', 'hoo'])
  const one = await runMain(['notify', 'test', 'phone', '--config', cfg, '--json'], { env })
  expect(JSON.parse(one.stdout)).toEqual([{ channel: 'phone', ok: true, status: 200 }])
  expect(rx.requests).toHaveLength(3)
  expect(JSON.parse(rx.requests[2]!.body)).toMatchObject({
    chat_id: '42',
    text: expect.stringContaining('test message'),
  })
  for (const s of SECRET_PARTS) expect(all.stdout + all.stderr + one.stdout + one.stderr).not.toContain(s)
})

it('fails with the channel, field and env var named when a secret is missing, and on an unknown channel', async () => {
  const { HOOK_SECRET: _, ...rest } = channelEnv(rx)
  const missing = await runMain(['notify', 'test', '--config', cfg], { env: { PATH: process.env.PATH, ...rest } })
  expect(missing.code).not.toBe(0)
  expect(missing.stderr).toContain('notify channel "ops": secretEnv names env var HOOK_SECRET, which is not set')
  const unknown = await runMain(['notify', 'test', 'pager', '--config', cfg], {
    env: { PATH: process.env.PATH, ...channelEnv(rx) },
  })
  expect(unknown.code).not.toBe(0)
  expect(unknown.stderr).toContain('no enabled notify channel named "pager"')
  expect(unknown.stderr).toContain('configured: ops, phone')
})
