import { EventEmitter } from 'node:events'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../store/database.ts'
import type { NotifyEvent } from './events.ts'
import { attachScheduler, notifyStarted } from './scheduler-hooks.ts'
import { createWatcher } from './watch.ts'

const WALLET = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
let db: Db
let events: NotifyEvent[]
const notifier = {
  emit: (e: Omit<NotifyEvent, 'at'> & { at?: number }) => {
    events.push({ ...e, at: e.at ?? 0 })
    return {}
  },
}
beforeEach(() => {
  db = openDatabase({ path: ':memory:' })
  events = []
})
afterEach(() => db.close())

let hashN = 0
function intent(over: {
  root?: number
  kind?: string
  status: string
  nonce: number
  at: number
  broadcastAt?: number
}): number {
  const hash = `0x${(++hashN).toString(16).padStart(64, '0')}`
  const r = db
    .prepare(
      `INSERT INTO tx_intents (root_id, run_id, call_index, chain_id, from_addr, nonce, to_addr, value, data, data_hash,
    kind, status, tx_hash, created_at, updated_at, broadcast_at) VALUES (?, 'run-7', ?, 1, ?, ?, ?, '0', '0x', '0x', ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      over.root ?? null,
      over.nonce,
      WALLET.toLowerCase(),
      over.nonce,
      WALLET,
      over.kind ?? 'normal',
      over.status,
      hash,
      over.at,
      over.at,
      over.broadcastAt ?? over.at,
    )
  const id = Number(r.lastInsertRowid)
  if (over.root === undefined) db.prepare('UPDATE tx_intents SET root_id = ? WHERE id = ?').run(id, id)
  return id
}

describe('watcher', () => {
  it('reports replaced, dropped and stuck transactions from the journal, each once', async () => {
    let now = 1_000_000
    const w = createWatcher({
      db,
      notifier,
      chains: [{ chainId: 1, name: 'mainnet', getBalance: async () => 0n }],
      wallets: [{ name: 'ops', address: WALLET }],
      dailyCapShare: 0.8,
      txStuckAfterMs: 60_000,
      now: () => now,
    })
    intent({ status: 'confirmed', nonce: 1, at: now - 10 })
    await w.check()
    expect(events).toEqual([])
    now += 1_000
    const root = intent({ status: 'replaced', nonce: 2, at: now })
    intent({ root, kind: 'replacement', status: 'broadcast', nonce: 2, at: now })
    const gone = intent({ status: 'dropped', nonce: 3, at: now + 1 })
    intent({ status: 'broadcast', nonce: 4, at: now, broadcastAt: now })
    await w.check()
    expect(events.map((e) => [e.kind, e.severity])).toEqual([
      ['tx_replaced', 'info'],
      ['tx_dropped', 'warning'],
    ])
    expect(events[0]!.title).toBe('transaction at nonce 2 re-sent with a higher fee')
    expect(events[1]!.fields).toMatchObject({ run: 'run-7', wallet: 'ops (0x90F7…b906)', chain: 'mainnet', chainId: 1 })
    now += 120_000
    await w.check()
    await w.check()
    expect(events.map((e) => e.kind)).toEqual(['tx_replaced', 'tx_dropped', 'tx_stuck', 'tx_stuck'])
    expect(events[3]!.title).toBe('transaction at nonce 4 not mined after 2 min')
    expect(gone).toBeGreaterThan(0)
  })

  it('reports breaker trips and resets written after it started, and a daily cap crossing once per day', async () => {
    const addEvent = db.prepare('INSERT INTO risk_breaker_events (at, kind, causes, detail) VALUES (?, ?, ?, ?)')
    addEvent.run(1, 'trip', '[]', 'old trip, before notifications existed')
    let spent = 0n
    const w = createWatcher({
      db,
      notifier,
      chains: [{ chainId: 10, name: 'optimism', getBalance: async () => 0n, dailyNativeCap: 10n ** 18n }],
      wallets: [{ name: 'ops', address: WALLET }],
      dailyCapShare: 0.8,
      txStuckAfterMs: 60_000,
      spentToday: () => spent,
    })
    await w.check()
    expect(events).toEqual([])
    addEvent.run(2, 'trip', JSON.stringify([{ kind: 'gas_budget', detail: 'x' }]), 'chain 10 spent too much')
    addEvent.run(3, 'cause_added', '[]', 'more')
    addEvent.run(4, 'reset', '[]', 'cleared')
    spent = 799n * 10n ** 15n
    await w.check()
    expect(events.map((e) => [e.kind, e.severity])).toEqual([
      ['breaker_tripped', 'critical'],
      ['breaker_reset', 'info'],
    ])
    expect(events[0]!.title).toBe('circuit breaker tripped (gas_budget): sending is halted')
    spent = 8n * 10n ** 17n
    await w.check()
    // The outbox is what remembers "already sent today": without a row the cap is reported again.
    db.prepare(
      `INSERT INTO notify_outbox (channel, kind, severity, dedup_key, payload, status, next_at, created_at)
      VALUES ('c', 'daily_cap', 'warning', ?, '{}', 'sent', 0, 0)`,
    ).run(events.at(-1)!.dedupKey)
    await w.check()
    expect(events.slice(2).map((e) => e.kind)).toEqual(['daily_cap'])
    expect(events[2]!.title).toBe('wallet ops used 80 % of its daily cap on optimism (0.8 ETH of 1 ETH)')
  })
  it("warns once when a token cap is 80 % used, in the token's own units", async () => {
    const USDC = '0x00000000000000000000000000000000000000c0'
    let spent = new Map<string, bigint>()
    const w = createWatcher({
      db,
      notifier,
      chains: [
        {
          chainId: 8453,
          name: 'base',
          getBalance: async () => 10n ** 18n,
          dailyTokenCaps: [{ token: USDC, symbol: 'USDC', decimals: 6, cap: 500_000_000n }],
        },
      ],
      wallets: [{ name: 'ops', address: WALLET }],
      dailyCapShare: 0.8,
      txStuckAfterMs: 60_000,
      tokensSpentToday: () => spent,
    })
    spent = new Map([[USDC.toUpperCase().replace('0X', '0x'), 399_999_999n]])
    await w.check()
    expect(events.filter((e) => e.kind === 'daily_cap')).toEqual([])
    spent = new Map([[USDC, 400_000_000n]])
    await w.check()
    const caps = events.filter((e) => e.kind === 'daily_cap')
    expect(caps).toHaveLength(1)
    expect(caps[0]!.title).toBe('wallet ops used 80 % of its daily USDC cap on base (400 USDC of 500 USDC)')
    expect(caps[0]!.action).toMatch(/chains\[\]\.caps\.dailyTokens\.USDC/)
  })
})

describe('scheduler hooks', () => {
  it('reports an escalation and a run delayed past the limit once; a start with recovered work is a warning', () => {
    const bus = new EventEmitter()
    const scheduler = {
      on: (e: string, fn: (p: unknown) => void) => {
        bus.on(e, fn)
        return () => void bus.off(e, fn)
      },
    }
    const off = attachScheduler(scheduler as never, notifier, { jobDelayedAfterMs: 60_000, now: () => 200_000 })
    bus.emit('escalated', {
      kind: 'failed',
      jobId: 'swap',
      runId: '9',
      attempt: 3,
      message: 'reverted: https://rpc.example/key/abcdef0123456789',
      at: 0,
    })
    const run = { scheduledFor: 100_000, createdAt: 100_000 }
    bus.emit('delayed', {
      jobId: 'swap',
      runId: '10',
      run: { ...run, scheduledFor: 150_000 },
      until: 300_000,
      reason: 'gas 40 gwei > cap 30 gwei',
    })
    bus.emit('delayed', { jobId: 'swap', runId: '11', run, until: 300_000, reason: 'gas 40 gwei > cap 30 gwei' })
    bus.emit('delayed', { jobId: 'swap', runId: '11', run, until: 400_000, reason: 'gas 40 gwei > cap 30 gwei' })
    off()
    bus.emit('escalated', { kind: 'failed', jobId: 'swap', runId: '12', attempt: 1, message: 'x', at: 0 })
    expect(events.map((e) => e.kind)).toEqual(['run_failed', 'job_delayed'])
    expect(events[0]!.title).toBe('job swap failed after 3 attempt(s): reverted: https://rpc.example/[redacted]')
    expect(events[1]!.title).toBe('job swap is 2 min late: gas 40 gwei > cap 30 gwei')
    notifyStarted(notifier, { interruptedRuns: 2, reconciledIntents: 1 }, 5)
    notifyStarted(notifier, { interruptedRuns: 0, reconciledIntents: 0 }, 6)
    expect(events.slice(2).map((e) => [e.kind, e.severity])).toEqual([
      ['bot_recovered', 'warning'],
      ['bot_started', 'info'],
    ])
  })
})
