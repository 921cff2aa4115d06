// Delivery through real HTTP to a local receiver: payload per channel, HMAC, retries, bursts, and no leaked secret.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createNotifier,
  verifyWebhook,
  WEBHOOK_HEADERS,
  type Notifier,
  type NotifyEvent,
} from '../../src/notify/index.ts'
import { startReceiver, type Receiver } from './receiver.ts'
import { channelEnv, notifyConfig, SECRET_PARTS, tempState } from './setup.ts'

const lowBalance: Omit<NotifyEvent, 'at'> = {
  kind: 'balance_low',
  severity: 'warning',
  title: 'wallet ops on mainnet has 0.004 ETH, below its floor',
  action: 'send at least 0.046 ETH to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  dedupKey: 'balance_low:1:0x7099',
  fields: {
    wallet: 'ops (0x7099…79C8)',
    chain: 'mainnet',
    chainId: 1,
    amount: '0.004 ETH',
    threshold: '0.05 ETH',
    link: 'https://etherscan.io/address/0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  },
}

let rx: Receiver
let st: ReturnType<typeof tempState>
let notifier: Notifier | undefined
beforeEach(async () => {
  rx = await startReceiver()
  st = tempState()
})
afterEach(async () => {
  await notifier?.stop()
  notifier = undefined
  await rx.close()
  st.cleanup()
})

const make = (over: Record<string, unknown> = {}, now?: () => number) =>
  (notifier = createNotifier({
    config: notifyConfig(rx, over),
    db: st.db,
    env: channelEnv(rx),
    logger: st.logger,
    now,
  }))
const byChannel = (path: string) => rx.requests.filter((r) => r.path.startsWith(path))
const json = (body: string) => JSON.parse(body) as Record<string, unknown>

describe('notify delivery', () => {
  it('sends each channel its own payload shape, with human amounts, the action and a link', async () => {
    const n = make()
    expect(n.emit(lowBalance)).toEqual({ hook: 'queued', tg: 'queued', discord: 'queued', slack: 'queued' })
    const results = await n.sender.flush()
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true])
    expect(rx.requests).toHaveLength(4)
    const [hook] = byChannel('/hook/')
    expect(Object.keys(json(hook!.body)).sort()).toEqual([
      'action',
      'at',
      'fields',
      'id',
      'kind',
      'severity',
      'source',
      'text',
      'title',
    ])
    expect(json(hook!.body)).toMatchObject({
      kind: 'balance_low',
      severity: 'warning',
      source: 'airdrops',
      fields: { chainId: 1, amount: '0.004 ETH' },
    })
    const [tg] = byChannel('/bot')
    expect(tg!.path).toBe('/bot7001234567:AAH-telegram-token-9f8e7d/sendMessage')
    expect(Object.keys(json(tg!.body)).sort()).toEqual(['chat_id', 'disable_web_page_preview', 'text'])
    expect(json(tg!.body).chat_id).toBe('-1001234567890')
    const [discord] = byChannel('/api/webhooks/')
    expect(json(discord!.body)).toMatchObject({ allowed_mentions: { parse: [] } })
    const [slack] = byChannel('/services/')
    for (const text of [
      json(tg!.body).text,
      json(discord!.body).content,
      json(slack!.body).text,
      json(hook!.body).text,
    ] as string[]) {
      expect(text).toContain('WARNING: wallet ops on mainnet has 0.004 ETH')
      expect(text).toContain('amount 0.004 ETH · threshold 0.05 ETH')
      expect(text).toContain('→ send at least 0.046 ETH')
      expect(text).toContain('https://etherscan.io/address/0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
      expect(text.split('\n').length).toBeLessThanOrEqual(4)
    }
    for (const r of rx.requests) expect(r.headers['content-type']).toBe('application/json')
    expect(st.db.prepare("SELECT count(*) AS n FROM notify_outbox WHERE status = 'sent'").get()).toEqual({ n: 4 })
  })

  it('signs the webhook with HMAC-SHA256 over timestamp and body; a tampered, re-keyed or replayed request fails', async () => {
    const n = make()
    n.emit(lowBalance)
    await n.sender.flush()
    const [hook] = byChannel('/hook/')
    const h = {
      signature: hook!.headers[WEBHOOK_HEADERS.signature] as string,
      timestamp: hook!.headers[WEBHOOK_HEADERS.timestamp] as string,
    }
    const secret = channelEnv(rx).HOOK_SECRET
    expect(h.signature).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(hook!.headers[WEBHOOK_HEADERS.delivery]).toBe(String(json(hook!.body).id))
    expect(verifyWebhook(secret!, h, hook!.body)).toBe(true)
    expect(verifyWebhook(secret!, h, hook!.body.replace('0.004', '0.005'))).toBe(false)
    expect(verifyWebhook('another-secret-0123456789', h, hook!.body)).toBe(false)
    expect(verifyWebhook(secret!, { ...h, timestamp: String(Number(h.timestamp) + 1) }, hook!.body)).toBe(false)
    expect(verifyWebhook(secret!, h, hook!.body, Date.now() + 10 * 60_000)).toBe(false)
  })

  it('retries a 500 with backoff and then delivers once, with the same delivery id', async () => {
    rx.respond = (r, i) => ({ status: i < 2 ? 500 : 200 })
    const n = make({
      sendInterval: 20,
      channels: [{ name: 'hook', type: 'webhook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET', minSeverity: 'info' }],
    })
    n.emit(lowBalance)
    n.start()
    const t0 = Date.now()
    while (rx.requests.filter((r) => r.answered).length < 3 && Date.now() - t0 < 5_000)
      await new Promise((r) => setTimeout(r, 20))
    await n.stop()
    expect(rx.requests).toHaveLength(3)
    expect(new Set(rx.requests.map((r) => r.headers[WEBHOOK_HEADERS.delivery])).size).toBe(1)
    expect(st.db.prepare('SELECT status, attempts FROM notify_outbox').all()).toEqual([{ status: 'sent', attempts: 3 }])
    expect(st.logs.filter((l) => l.includes('will retry'))).toHaveLength(2)
  })

  it('gives up at once on a refusal (401: bad token) and after maxAttempts on errors', async () => {
    rx.respond = (r) => ({ status: r.path.startsWith('/bot') ? 401 : 503 })
    const n = make({
      channels: [
        {
          name: 'tg',
          type: 'telegram',
          tokenEnv: 'TG_TOKEN',
          chatIdEnv: 'TG_CHAT',
          apiBase: rx.url,
          minSeverity: 'info',
        },
        { name: 'slack', type: 'slack', urlEnv: 'SLACK_URL', minSeverity: 'info' },
      ],
      retry: { maxAttempts: 3, baseDelay: 5, maxDelay: 10 },
    })
    n.emit(lowBalance)
    for (let i = 0; i < 20 && (n.outbox.counts().failed ?? 0) < 2; i += 1) {
      await n.sender.flush()
      await new Promise((r) => setTimeout(r, 15))
    }
    expect(
      st.db.prepare('SELECT channel, status, attempts, last_error FROM notify_outbox ORDER BY channel').all(),
    ).toEqual([
      { channel: 'slack', status: 'failed', attempts: 3, last_error: 'HTTP 503' },
      { channel: 'tg', status: 'failed', attempts: 1, last_error: 'HTTP 401' },
    ])
  })

  it('groups a burst of 500 events: a few messages per channel, then one "N more like this" summary', async () => {
    let clock = Date.now()
    const n = make({ rateLimit: { perWindow: 5, window: '10m' }, dedupWindow: '10m' }, () => clock)
    const t0 = performance.now()
    for (let i = 0; i < 500; i += 1) {
      n.emit({
        kind: 'tx_dropped',
        severity: 'warning',
        title: `RPC failed (attempt ${i})`,
        action: 'check the node',
        dedupKey: `rpc:${i % 20}`,
        fields: { chainId: 1 },
      })
    }
    const emitMs = performance.now() - t0
    await n.sender.flush()
    expect(rx.requests).toHaveLength(4 * 5)
    clock += 5 * 60_000
    await n.sender.flush()
    expect(rx.requests).toHaveLength(4 * 5)
    clock += 5 * 60_000
    await n.sender.flush()
    await n.sender.flush()
    expect(rx.requests).toHaveLength(4 * 6)
    const summaries = byChannel('/services/')
      .map((r) => json(r.body).text as string)
      .filter((t) => t.includes('more like this'))
    expect(summaries).toHaveLength(1)
    expect(summaries[0]).toContain('495 more like this in the last 10 min: RPC failed (attempt')
    // Keys 0-4 went out, so their repeats are duplicates; the 15 other keys arrived over the rate.
    const stored = st.db
      .prepare(
        "SELECT reason, count(*) AS n FROM notify_outbox WHERE channel = 'hook' AND status = 'suppressed' GROUP BY reason ORDER BY reason",
      )
      .all()
    expect(stored).toEqual([
      { reason: 'duplicate', n: 120 },
      { reason: 'rate_limited', n: 375 },
    ])
    // Queuing never touches the network: 500 events (2,000 rows) take milliseconds each even on a loaded machine.
    expect(emitMs / 500).toBeLessThan(25)
  })

  it('keeps every secret out of payloads, headers, the outbox and the logs, also when sends fail', async () => {
    let i = 0
    rx.respond = () => ({ status: i++ % 2 === 0 ? 500 : 200 })
    const n = make({ dashboardUrl: 'http://127.0.0.1:8787/' })
    // A channel whose endpoint is down: the connection error is logged.
    const down = createNotifier({
      config: notifyConfig(rx, {
        channels: [{ name: 'down', type: 'discord', urlEnv: 'DOWN_URL', minSeverity: 'info' }],
      }),
      db: st.db,
      env: { DOWN_URL: 'http://127.0.0.1:9/api/webhooks/1/down-token-aa11bb22' },
      logger: st.logger,
    })
    n.emit(lowBalance)
    down.emit(lowBalance)
    for (let k = 0; k < 6; k += 1) {
      await n.sender.flush()
      await down.sender.flush()
      await new Promise((r) => setTimeout(r, 45))
    }
    await expect(n.test()).resolves.toHaveLength(4)
    const rows = JSON.stringify(st.db.prepare('SELECT * FROM notify_outbox').all())
    const seen = [...rx.requests.map((r) => `${r.body}\n${JSON.stringify({ ...r.headers })}`), rows, ...st.logs].join(
      '\n',
    )
    expect(st.logs.some((l) => l.includes('will retry'))).toBe(true)
    for (const s of [...SECRET_PARTS, 'down-token-aa11bb22']) expect(seen).not.toContain(s)
  })
})
