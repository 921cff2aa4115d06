// The SQLite intent journal: a durable batch restores the synchronous level; a group commit is one transaction.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keccak256, type Address } from 'viem'
import { createIntentJournal } from './sqlite-intent-journal.ts'
import type { NewIntent } from '../chain/intent-types.ts'
import { openDatabase, type Db } from './database.ts'

const FROM = '0x00000000000000000000000000000000000000aa' as Address
const intent = (runId: string, nonce: number, extra: Partial<NewIntent> = {}): NewIntent => ({
  runId,
  callIndex: 0,
  chainId: 1,
  from: FROM,
  nonce,
  to: '0x00000000000000000000000000000000000000bb',
  value: 10n,
  data: '0x',
  dataHash: keccak256('0x'),
  kind: 'normal',
  rawTx: `0x02${nonce.toString(16).padStart(4, '0')}`,
  hash: keccak256(`0x${runId.length.toString(16).padStart(2, '0')}${nonce.toString(16).padStart(4, '0')}`),
  gasLimit: 21_000n,
  maxFeePerGas: 2n,
  maxPriorityFeePerGas: 1n,
  validUntil: null,
  ...extra,
})

describe('intent journal', () => {
  let dir: string
  let db: Db
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'))
    db = openDatabase({ path: join(dir, 'state.db') })
  })
  afterEach(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('records a batch durably and restores the connection synchronous level after the commit', () => {
    const journal = createIntentJournal(db)
    const before = db.pragma('synchronous', { simple: true })
    const rows = journal.recordBatch([intent('a', 0), intent('b', 1)])
    expect(rows.map((r) => [r.status, r.nonce, r.rootId === r.id])).toEqual([
      ['signed', 0, true],
      ['signed', 1, true],
    ])
    // The rows handed back (built from what was written) are exactly the stored rows.
    for (const r of rows) expect(r).toEqual(journal.get(r.id))
    expect(db.pragma('synchronous', { simple: true })).toBe(before)
    expect(journal.maxOpenNonce(1, FROM)).toBe(1)
    expect(journal.reservedFunds(1, FROM)).toBe(2n * (10n + 21_000n * 2n))
  })

  it('group-commits records queued in the same tick into one transaction', async () => {
    const journal = createIntentJournal(db)
    // Each durable commit switches the connection to synchronous=FULL once: count those switches.
    let commits = 0
    const pragma = db.pragma.bind(db)
    db.pragma = ((source: string, options?: { simple?: boolean }) => {
      if (/synchronous\s*=\s*FULL/i.test(source)) commits++
      return pragma(source, options)
    }) as typeof db.pragma
    // Two lanes (two wallets' batches) ready in the same tick share one BEGIN IMMEDIATE ... COMMIT.
    const [a, b] = await Promise.all([
      journal.record([intent('l1-a', 0), intent('l1-b', 1)]),
      journal.record([intent('l2-a', 10, { from: '0x00000000000000000000000000000000000000cc' })]),
    ])
    expect(a!.map((r) => r.runId)).toEqual(['l1-a', 'l1-b'])
    expect(b!.map((r) => r.runId)).toEqual(['l2-a'])
    expect(b![0]!.id).toBe(a![1]!.id + 1)
    expect(commits).toBe(1)
    await journal.record([intent('later', 3)])
    expect(commits).toBe(2)
  })

  it('a failing batch records nothing (all or nothing)', () => {
    const journal = createIntentJournal(db)
    journal.recordBatch([intent('dup', 0)])
    expect(() => journal.recordBatch([intent('fresh', 1), intent('dup', 2)])).toThrow()
    expect(journal.byRun('fresh')).toEqual([])
  })

  it('settles a group: the mined attempt wins, the others become replaced; totals count normal intents only', () => {
    const journal = createIntentJournal(db, { now: () => 1_000 })
    const [root] = journal.recordBatch([intent('g', 5)])
    const [bump] = journal.recordBatch([
      intent('g', 5, { rootId: root!.id, kind: 'replacement', maxFeePerGas: 3n, hash: keccak256('0x01') }),
    ])
    journal.settleGroup(root!.id, bump!.id, 'confirmed', { blockHash: keccak256('0x02'), blockNumber: 9 })
    expect(journal.group(root!.id).map((r) => r.status)).toEqual(['replaced', 'confirmed'])
    // The block lands on the mined row only.
    expect(journal.group(root!.id).map((r) => r.blockNumber)).toEqual([null, 9])
    expect(journal.get(bump!.id)).toMatchObject({ blockHash: keccak256('0x02'), minedAt: null, updatedAt: 1_000 })
    expect(journal.openRoots()).toEqual([])
    expect(journal.spendSince(1, FROM, 0).native).toBe(10n + 21_000n * 2n)
    expect(journal.spendSince(1, FROM, 2_000).native).toBe(0n)
  })
})
