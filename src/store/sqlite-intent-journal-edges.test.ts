// SQLite journal edges: the in-memory daily spend cache against a fresh read, returned rows, block fields, filters.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keccak256, type Address } from 'viem'
import { CONFORMANCE_CHAIN as CHAIN, sampleIntent } from '../chain/journal-conformance.ts'
import type { IntentJournal, SpendTotals } from '../chain/intent-types.ts'
import { openDatabase, type Db } from './database.ts'
import { createIntentJournal } from './sqlite-intent-journal.ts'

// Mixed case on purpose: the journal keys wallets and tokens in lower case.
const FROM: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const OTHER: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const TOKEN: Address = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'
let db: Db
let clock = 1_000
let journal: IntentJournal
beforeEach(() => {
  db = openDatabase({ path: ':memory:' })
  clock = 1_000
  journal = createIntentJournal(db, { now: () => clock })
})
afterEach(() => db.close())

const plain = (t: SpendTotals) => ({ native: t.native, tokens: Object.fromEntries(t.tokens) })
/** What a journal that never cached anything reads from the table. */
const fresh = (from: Address, since: number) =>
  plain(createIntentJournal(db, { now: () => clock }).spendSince(CHAIN, from, since))

describe('daily spend cache', () => {
  it('adds the spend of attempts recorded after a read, exactly as a fresh read of the table counts it', () => {
    journal.recordBatch([sampleIntent('before', 0, { from: FROM })])
    const gas = 21_000n * 2n
    expect(plain(journal.spendSince(CHAIN, FROM, 1_000))).toEqual({ native: 10n + gas, tokens: {} })
    journal.recordBatch([
      sampleIntent('swap', 1, { from: FROM, value: 5n, tokenAddress: TOKEN, tokenAmount: 300n }),
      sampleIntent('swap2', 2, { from: FROM, value: 0n, tokenAddress: TOKEN, tokenAmount: 200n }),
    ])
    const cached = plain(journal.spendSince(CHAIN, FROM, 1_000))
    expect(cached).toEqual({ native: 15n + 3n * gas, tokens: { [TOKEN.toLowerCase()]: 500n } })
    expect(cached).toEqual(fresh(FROM, 1_000))
  })

  it('does not count dry runs, replacements, cancels, other wallets, or a token without an amount', () => {
    const [root] = journal.recordBatch([sampleIntent('root', 0, { from: FROM })])
    const before = plain(journal.spendSince(CHAIN, FROM, 1_000))
    plain(journal.spendSince(CHAIN, OTHER, 1_000))
    journal.recordBatch([
      sampleIntent('dry', 1, { from: FROM, dryRun: true, tokenAddress: TOKEN, tokenAmount: 1n }),
      sampleIntent('root', 0, { from: FROM, kind: 'replacement', rootId: root!.id }),
      sampleIntent('root', 0, { from: FROM, kind: 'cancel', rootId: root!.id }),
    ])
    expect(plain(journal.spendSince(CHAIN, FROM, 1_000))).toEqual(before)
    journal.recordBatch([sampleIntent('other', 0, { from: OTHER, value: 7n, tokenAddress: TOKEN, tokenAmount: null })])
    expect(plain(journal.spendSince(CHAIN, FROM, 1_000))).toEqual(before)
    const other = plain(journal.spendSince(CHAIN, OTHER, 1_000))
    expect(other).toEqual({ native: 7n + 21_000n * 2n, tokens: {} })
    expect(other).toEqual(fresh(OTHER, 1_000))
  })

  it('counts an attempt recorded at the start of the window, not one before it; a new window is read afresh', () => {
    expect(journal.spendSince(CHAIN, FROM, 1_000).native).toBe(0n)
    journal.recordBatch([sampleIntent('at-start', 0, { from: FROM })])
    expect(journal.spendSince(CHAIN, FROM, 1_000).native).toBe(10n + 42_000n)
    expect(journal.spendSince(CHAIN, FROM, 2_000).native).toBe(0n)
    journal.recordBatch([sampleIntent('early', 1, { from: FROM })])
    expect(journal.spendSince(CHAIN, FROM, 2_000).native).toBe(0n)
    clock = 2_000
    journal.recordBatch([sampleIntent('late', 2, { from: FROM })])
    expect(journal.spendSince(CHAIN, FROM, 2_000).native).toBe(10n + 42_000n)
    expect(journal.spendSince(CHAIN, FROM, 1_000).native).toBe(3n * (10n + 42_000n))
  })
})

describe('rows', () => {
  it('returns exactly the stored rows, for dry runs and token spends too; an empty batch records nothing', () => {
    const rows = journal.recordBatch([
      sampleIntent('dry', 0, { from: FROM, dryRun: true }),
      sampleIntent('tok', 1, { from: FROM, tokenAddress: TOKEN, tokenAmount: 9n }),
    ])
    expect(rows.map((r) => [r.status, r.dryRun, r.tokenAddress])).toEqual([
      ['prepared', true, null],
      ['signed', false, TOKEN.toLowerCase()],
    ])
    for (const r of rows) expect(r).toEqual(journal.get(r.id))
    expect(journal.recordBatch([])).toEqual([])
  })

  it('a status change with only a block number, or only a block hash, sets that field', () => {
    const [a, b] = journal.recordBatch([sampleIntent('a', 0), sampleIntent('b', 1)])
    journal.setStatus(a!.id, 'mined', { blockNumber: 9 })
    expect(journal.get(a!.id)).toMatchObject({ blockNumber: 9, blockHash: null })
    journal.setStatus(b!.id, 'mined', { blockHash: keccak256('0x01') })
    expect(journal.get(b!.id)).toMatchObject({ blockNumber: null, blockHash: keccak256('0x01') })
    journal.setStatus(b!.id, 'confirmed')
    expect(journal.get(b!.id)).toMatchObject({ blockHash: keccak256('0x01'), error: null })
  })

  it('settling a group sets the block and error given, or keeps the ones it has', () => {
    const [root] = journal.recordBatch([sampleIntent('g', 0)])
    const [bump] = journal.recordBatch([sampleIntent('g', 0, { kind: 'replacement', rootId: root!.id })])
    journal.setStatus(bump!.id, 'mined', { blockHash: keccak256('0x02'), blockNumber: 4 })
    journal.settleGroup(root!.id, bump!.id, 'confirmed')
    expect(journal.get(bump!.id)).toMatchObject({ status: 'confirmed', blockNumber: 4, blockHash: keccak256('0x02') })
    expect(journal.get(root!.id)?.status).toBe('replaced')
    const [r2] = journal.recordBatch([sampleIntent('h', 1)])
    journal.settleGroup(r2!.id, r2!.id, 'failed', { blockNumber: 6, error: 'reverted' })
    expect(journal.get(r2!.id)).toMatchObject({ status: 'failed', blockNumber: 6, blockHash: null, error: 'reverted' })
    const [r3] = journal.recordBatch([sampleIntent('i', 2)])
    journal.settleGroup(r3!.id, r3!.id, 'mined', { blockHash: keccak256('0x03') })
    expect(journal.get(r3!.id)).toMatchObject({ blockNumber: null, blockHash: keccak256('0x03'), minedAt: 1_000 })
  })

  it('open roots of one wallet, or of all', () => {
    const [a] = journal.recordBatch([sampleIntent('a', 0, { from: FROM })])
    const [b] = journal.recordBatch([sampleIntent('b', 0, { from: OTHER })])
    expect(journal.openRoots(CHAIN, FROM)).toEqual([a!.id])
    expect(journal.openRoots(CHAIN, OTHER.toLowerCase() as Address)).toEqual([b!.id])
    expect(journal.openRoots(CHAIN + 1, FROM)).toEqual([])
    expect(journal.openRoots()).toEqual([a!.id, b!.id])
    expect(journal.openRoots(CHAIN)).toEqual([a!.id, b!.id])
    expect(journal.openRoots(undefined, FROM)).toEqual([a!.id, b!.id])
  })
})
