// The confirm loop's journal decisions on a real SQLite journal: broadcast outcomes and settled group outcomes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../store/database.ts'
import { createIntentJournal } from '../store/sqlite-intent-journal.ts'
import { applyBroadcast, settledOutcome } from './confirm.ts'
import { ChainError } from './errors.ts'
import type { IntentJournal, IntentRow, IntentStatus } from './intent-types.ts'
import { sampleIntent } from './journal-conformance.ts'
import type { BroadcastOutcome } from './rpc-steps.ts'

let db: Db
let journal: IntentJournal
let n = 0
beforeEach(() => {
  db = openDatabase({ path: ':memory:' })
  journal = createIntentJournal(db)
})
afterEach(() => db.close())

const err = new ChainError('RPC_X', 'node said no')
const outcomes: Record<BroadcastOutcome['kind'], BroadcastOutcome> = {
  accepted: { kind: 'accepted' },
  unknown: { kind: 'unknown', error: err },
  nonce_too_low: { kind: 'nonce_too_low', error: err },
  rejected: { kind: 'rejected', error: err },
}
/** A journaled attempt moved to `status`. */
function rowIn(status: IntentStatus, extra: Parameters<typeof sampleIntent>[2] = {}): IntentRow {
  const [row] = journal.recordBatch([sampleIntent(`run-${++n}`, n, extra)])
  if (status !== 'signed') journal.setStatus(row!.id, status)
  return journal.get(row!.id)!
}

describe('applyBroadcast', () => {
  it.each<[IntentStatus, BroadcastOutcome['kind'], IntentStatus, string | null, number]>([
    ['signed', 'accepted', 'broadcast', null, 1],
    ['mined', 'accepted', 'mined', null, 1],
    ['signed', 'unknown', 'unknown', 'node said no', 0],
    ['dropped', 'unknown', 'unknown', 'node said no', 0],
    ['broadcast', 'unknown', 'broadcast', null, 0],
    ['broadcast', 'nonce_too_low', 'broadcast', 'node said no', 0],
    ['signed', 'rejected', 'dropped', 'node said no', 0],
    ['mined', 'rejected', 'mined', null, 0],
    ['confirmed', 'accepted', 'confirmed', null, 0],
    ['failed', 'rejected', 'failed', null, 0],
  ])('%s + %s -> %s', (from, outcome, to, error, broadcasts) => {
    const row = rowIn(from)
    applyBroadcast(journal, row, outcomes[outcome])
    expect(journal.get(row.id)).toMatchObject({ status: to, error, broadcastCount: broadcasts })
  })

  it('decides from the journal, not from a stale copy of the row', () => {
    const row = rowIn('signed')
    journal.setStatus(row.id, 'mined')
    applyBroadcast(journal, row, outcomes.rejected)
    expect(journal.get(row.id)?.status).toBe('mined')
    const closed = rowIn('signed')
    journal.setStatus(closed.id, 'confirmed')
    applyBroadcast(journal, closed, outcomes.accepted)
    expect(journal.get(closed.id)).toMatchObject({ status: 'confirmed', broadcastCount: 0 })
  })

  it('a row this journal does not hold is judged by its own status, and nothing is written', () => {
    const row = rowIn('signed')
    const otherDb = openDatabase({ path: ':memory:' })
    const other = createIntentJournal(otherDb)
    expect(() => applyBroadcast(other, row, outcomes.accepted)).not.toThrow()
    expect(other.get(row.id)).toBeUndefined()
    otherDb.close()
  })
})

describe('settledOutcome', () => {
  it('is undefined while any attempt of the group is open', () => {
    expect(settledOutcome([rowIn('failed'), rowIn('dropped')])).toBeUndefined()
    expect(settledOutcome([rowIn('replaced'), rowIn('mined')])).toBeUndefined()
  })

  it('a confirmed attempt wins, with its receipt', () => {
    const won = rowIn('signed')
    journal.setStatus(won.id, 'confirmed', { blockHash: `0x${'ab'.repeat(32)}`, blockNumber: 12 })
    const row = journal.get(won.id)!
    expect(settledOutcome([rowIn('replaced'), row])).toEqual({
      status: 'confirmed',
      row,
      receipt: { transactionHash: row.hash, blockHash: `0x${'ab'.repeat(32)}`, blockNumber: 12, status: 'success' },
    })
    const noBlock = rowIn('confirmed')
    expect(settledOutcome([noBlock])).toMatchObject({ receipt: { blockNumber: 0 } })
  })

  it('a confirmed cancel is a failure: cancelled past its validity', () => {
    const cancel = rowIn('confirmed', { kind: 'cancel' })
    expect(settledOutcome([rowIn('replaced'), cancel])).toEqual({
      status: 'failed',
      code: 'TX_CANCELLED',
      reason: 'cancelled past its validity',
      row: cancel,
    })
  })

  it('a failed attempt reports its error; a needs_attention one its reason', () => {
    const failed = rowIn('signed')
    journal.setStatus(failed.id, 'failed', { error: 'reverted: boom' })
    const f = journal.get(failed.id)!
    expect(settledOutcome([rowIn('replaced'), f])).toEqual({
      status: 'failed',
      code: 'TX_REVERTED',
      reason: 'reverted: boom',
      row: f,
    })
    const bare = rowIn('failed')
    expect(settledOutcome([bare])).toMatchObject({ code: 'TX_REVERTED', reason: 'failed', row: bare })
    const attention = rowIn('signed')
    journal.closeGroup(attention.rootId, 'needs_attention', 'nonce taken by another tx')
    expect(settledOutcome([rowIn('replaced'), journal.get(attention.id)!])).toEqual({
      status: 'needs_attention',
      reason: 'nonce taken by another tx',
    })
    expect(settledOutcome([rowIn('needs_attention')])).toEqual({
      status: 'needs_attention',
      reason: 'intent has no open attempt and no outcome',
    })
    expect(settledOutcome([rowIn('replaced')])).toEqual({
      status: 'needs_attention',
      reason: 'intent has no open attempt and no outcome',
    })
  })
})
