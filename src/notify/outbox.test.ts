import { afterEach, beforeEach, expect, it } from 'vitest'
import { openDatabase, type Db } from '../store/database.ts'
import type { NotifyEvent } from './events.ts'
import { createOutbox } from './outbox.ts'
import { backoffMs } from './sender.ts'

let db: Db
beforeEach(() => {
  db = openDatabase({ path: ':memory:' })
})
afterEach(() => db.close())
const ev = (key: string): NotifyEvent => ({
  kind: 'tx_stuck',
  severity: 'warning',
  title: `t ${key}`,
  action: 'a',
  dedupKey: key,
  fields: {},
  at: 0,
})
const limits = () => ({ dedupWindowMs: 1_000, perWindow: 2, rateWindowMs: 1_000 })

it('claims each due row once, re-queues rows left sending by a crash, and prunes only finished rows', () => {
  const o = createOutbox(db)
  expect(o.enqueue(ev('a'), ['x', 'y'], limits, 100)).toEqual({ x: 'queued', y: 'queued' })
  expect(o.enqueue(ev('a'), ['x'], limits, 200)).toEqual({ x: 'duplicate' })
  expect(o.enqueue(ev('b'), ['x'], limits, 300)).toEqual({ x: 'queued' })
  expect(o.enqueue(ev('c'), ['x'], limits, 400)).toEqual({ x: 'rate_limited' })
  // Past both windows, the same key is a new condition.
  expect(o.enqueue(ev('a'), ['x'], limits, 1_500)).toEqual({ x: 'queued' })
  const first = o.claim(1_500, 10, ['x'])
  expect(first.map((r) => [r.event.dedupKey, r.attempts])).toEqual([
    ['a', 1],
    ['b', 1],
    ['a', 1],
  ])
  expect(o.claim(1_500, 10, ['x'])).toEqual([])
  o.markSent(first[0]!.id, 1_600)
  o.markRetry(first[1]!.id, 'HTTP 500', 5_000)
  expect(o.recoverSending()).toBe(1)
  expect(o.claim(2_000, 10).map((r) => [r.channel, r.event.dedupKey, r.attempts])).toEqual([
    ['y', 'a', 1],
    ['x', 'a', 2],
  ])
  expect(o.claim(5_000, 10).map((r) => [r.event.dedupKey, r.attempts])).toEqual([['b', 2]])
  expect(o.summarize(1_000, () => 1_000)).toBe(0)
  expect(o.summarize(1_400, () => 1_000)).toBe(1)
  expect(o.counts()).toMatchObject({ sent: 1, sending: 3, pending: 1, suppressed: 2 })
  expect(o.prune(10_000)).toBe(3)
  expect(o.counts()).toEqual({ sending: 3, pending: 1 })
})

it('backs off exponentially up to the cap', () => {
  const p = { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 60_000 }
  expect([1, 2, 3, 4, 5].map((a) => backoffMs(p, a))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000])
})
