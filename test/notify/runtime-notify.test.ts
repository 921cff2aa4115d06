// The composed bot wires notifications: start, an escalated run, a low wallet and the stop reach a channel.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS, startAnvil, type AnvilInstance } from '../../src/devnet/anvil.ts'
import { waitForRun } from '../../src/bot/once.ts'
import { createBotRuntime } from '../../src/bot/runtime.ts'
import { parseConfig } from '../../src/config/load.ts'
import { tempDir } from '../cli/helpers.ts'
import { startReceiver, type Receiver } from './receiver.ts'
import { channelEnv } from './setup.ts'

let anvil: AnvilInstance
let rx: Receiver
const tmp = tempDir('bot-notify-rt-')
beforeAll(async () => {
  ;[anvil, rx] = await Promise.all([startAnvil({ chainId: 31337 }), startReceiver()])
})
afterAll(async () => {
  await Promise.all([anvil?.stop(), rx?.close()])
  rmSync(tmp.dir, { recursive: true, force: true })
})

it('reports bot_started, run_failed, balance_low and bot_stopped through the outbox', async () => {
  const config = await parseConfig(
    {
      devnet: { embedded: false },
      chains: [{ id: 31337, name: 'local', rpcUrls: [anvil.rpcUrl] }],
      wallets: [{ name: 'ops', privateKeyEnv: 'OPS_KEY' }],
      store: { path: join(tmp.dir, 'state.db') },
      housekeeping: { enabled: false },
      backup: { trigger: 'manual' },
      // A call to a contract outside the allowlist: the spend policy refuses it at run time, for good.
      jobs: [
        {
          id: 'broken',
          taskType: 'send_calls',
          trigger: 'manual',
          maxRetries: 0,
          args: {
            wallet: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
            calls: [{ chainId: 31337, to: '0x000000000000000000000000000000000000dEaD', data: '0x12345678' }],
          },
        },
      ],
      notify: {
        sendInterval: 20,
        watchInterval: 50,
        balanceFloors: { 31337: '20000' },
        channels: [
          { name: 'hook', type: 'webhook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET', minSeverity: 'info' },
        ],
      },
    },
    'notify-runtime-test',
  )
  const env = { ...channelEnv(rx), OPS_KEY: ANVIL_TEST_KEYS[3] }
  const rt = await createBotRuntime(config, { logger: pino({ level: 'silent' }), env })
  const kinds = () => rx.requests.map((r) => (JSON.parse(r.body) as { kind: string }).kind)
  const until = async (kind: string) => {
    for (let i = 0; i < 200 && !kinds().includes(kind); i += 1) await new Promise((r) => setTimeout(r, 25))
  }
  try {
    await rt.start()
    await until('bot_started')
    const run = await waitForRun(rt, rt.scheduler.runNow('broken'), AbortSignal.timeout(20_000))
    expect(run.status).toBe('failed')
    await until('run_failed')
    await until('balance_low')
  } finally {
    await rt.close({ graceMs: 0 })
  }
  expect(kinds()).toEqual(expect.arrayContaining(['bot_started', 'run_failed', 'balance_low', 'bot_stopped']))
  expect(kinds().filter((k) => k === 'balance_low')).toHaveLength(1)
  const failed = rx.requests
    .map((r) => JSON.parse(r.body) as { kind: string; fields: { job?: string } })
    .find((b) => b.kind === 'run_failed')!
  expect(failed.fields.job).toBe('broken')
}, 60_000)
