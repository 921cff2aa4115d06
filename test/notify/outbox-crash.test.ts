// The outbox survives SIGKILL: a child queuing and sending is killed mid-request three times; every event is
// delivered and acknowledged exactly once, a request cut off by the kill is re-sent with the same delivery id.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import { WEBHOOK_HEADERS, verifyWebhook } from '../../src/notify/index.ts'
import { startReceiver, type Receiver } from './receiver.ts'
import { channelEnv, tempState } from './setup.ts'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '..', '..')
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
const TOTAL = 40

let rx: Receiver | undefined
afterEach(async () => {
  await rx?.close()
})

it('loses nothing and acknowledges nothing twice across SIGKILLs of the sending process', async () => {
  rx = await startReceiver()
  const st = tempState()
  st.db.close()
  const env = channelEnv(rx)
  const killAt = new Set([4, 15, 27])
  // The request that triggers a kill is held unanswered: the kill lands while it is in flight, the worst moment
  // for the outbox (the receiver has the body, the sender has no answer).
  rx.respond = (_r, i) => ({ status: 200, delayMs: killAt.has(i + 1) ? 3_000 : 0 })
  const runChild = () =>
    new Promise<{ code: number | null; signal: string | null; out: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', TSX_LOADER, join(HERE, 'outbox-child.ts'), st.path, String(TOTAL)],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { PATH: process.env.PATH, HOOK_URL: env.HOOK_URL, HOOK_SECRET: env.HOOK_SECRET },
        },
      )
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
      })
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString()
      })
      rx!.onRequest = () => {
        if (killAt.has(rx!.requests.length)) child.kill('SIGKILL')
      }
      child.on('error', reject)
      child.on('exit', (code, signal) => resolve({ code, signal, out }))
    })
  const runs = []
  for (let i = 0; i < 6; i += 1) {
    const r = await runChild()
    runs.push(r)
    if (r.out.includes('done')) break
  }
  try {
    expect(runs.filter((r) => r.signal === 'SIGKILL')).toHaveLength(3)
    expect(runs.at(-1)!.out).toContain('done')
    await new Promise((r) => setTimeout(r, 60))
    const answered = rx.requests.filter((r) => r.answered)
    const cut = rx.requests.filter((r) => !r.answered)
    const titles = answered.map((r) => (JSON.parse(r.body) as { title: string }).title)
    expect(new Set(titles).size).toBe(TOTAL)
    expect(titles).toHaveLength(TOTAL)
    expect(cut).toHaveLength(3)
    const answeredIds = new Set(answered.map((r) => r.headers[WEBHOOK_HEADERS.delivery]))
    for (const c of cut) expect(answeredIds.has(c.headers[WEBHOOK_HEADERS.delivery])).toBe(true)
    for (const r of answered) {
      expect(
        verifyWebhook(
          env.HOOK_SECRET!,
          {
            signature: r.headers[WEBHOOK_HEADERS.signature] as string,
            timestamp: r.headers[WEBHOOK_HEADERS.timestamp] as string,
          },
          r.body,
        ),
      ).toBe(true)
    }
  } finally {
    st.cleanup()
  }
}, 90_000)
