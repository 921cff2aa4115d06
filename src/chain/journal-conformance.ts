// Shared conformance suite every IntentJournal implementation runs (SQLite and PostgreSQL).
import { afterEach, describe, expect, it } from 'vitest'
import { keccak256, toHex, type Address } from 'viem'
import type { IntentJournal, NewIntent } from './intent-types.ts'

/** The wallets the suite sends from; a backend that fences writes by lane must let its journal record for both. */
export const CONFORMANCE_WALLETS = [
  '0x00000000000000000000000000000000000000aa',
  '0x00000000000000000000000000000000000000cc',
] as const
/** The chain id of every conformance intent. */
export const CONFORMANCE_CHAIN = 1
const [FROM, OTHER] = CONFORMANCE_WALLETS as readonly [Address, Address]
const TOKEN = '0x00000000000000000000000000000000000000dd' as Address

let hashes = 0
/** Builds a signed normal attempt with a unique hash for journal tests. */
export function sampleIntent(runId: string, nonce: number, extra: Partial<NewIntent> = {}): NewIntent {
  return {
    runId,
    callIndex: 0,
    chainId: CONFORMANCE_CHAIN,
    from: FROM,
    nonce,
    to: '0x00000000000000000000000000000000000000bb',
    value: 10n,
    data: '0x',
    dataHash: keccak256('0x'),
    kind: 'normal',
    rawTx: `0x02${nonce.toString(16).padStart(4, '0')}`,
    hash: keccak256(toHex(`${runId}/${nonce}/${++hashes}`)),
    gasLimit: 21_000n,
    maxFeePerGas: 2n,
    maxPriorityFeePerGas: 1n,
    validUntil: null,
    ...extra,
  }
}

/** A journal under test and how to release what it holds. */
export interface JournalUnderTest {
  journal: IntentJournal
  close(): void
}

/**
 * Registers the journal conformance tests. `makeJournal` returns a fresh, empty journal whose clock is `now`
 * (ms), able to record for every wallet of CONFORMANCE_WALLETS on CONFORMANCE_CHAIN.
 */
export function describeJournalConformance(
  name: string,
  makeJournal: (now: () => number) => Promise<JournalUnderTest>,
): void {
  describe(`IntentJournal conformance: ${name}`, () => {
    const opened: JournalUnderTest[] = []
    let clock = 1_000
    const fresh = async () => {
      clock = 1_000
      const made = await makeJournal(() => clock)
      opened.push(made)
      return made.journal
    }
    afterEach(() => {
      for (const j of opened.splice(0)) j.close()
    })

    it('records a batch as signed roots and hands back exactly the stored rows', async () => {
      const journal = await fresh()
      const rows = journal.recordBatch([sampleIntent('a', 0), sampleIntent('b', 1)])
      expect(rows.map((r) => [r.runId, r.status, r.nonce, r.rootId === r.id, r.kind])).toEqual([
        ['a', 'signed', 0, true, 'normal'],
        ['b', 'signed', 1, true, 'normal'],
      ])
      for (const r of rows) expect(r).toEqual(journal.get(r.id))
      expect(rows[0]).toMatchObject({
        value: 10n,
        gasLimit: 21_000n,
        maxFeePerGas: 2n,
        createdAt: 1_000,
        broadcastCount: 0,
      })
      expect(journal.maxOpenNonce(CONFORMANCE_CHAIN, FROM)).toBe(1)
      expect(journal.maxOpenNonce(CONFORMANCE_CHAIN, OTHER)).toBe(-1)
      expect(journal.reservedFunds(CONFORMANCE_CHAIN, FROM)).toBe(2n * (10n + 21_000n * 2n))
    })

    it('gives each caller of one group commit its own rows, in order', async () => {
      const journal = await fresh()
      const [a, b] = await Promise.all([
        journal.record([sampleIntent('l1-a', 0), sampleIntent('l1-b', 1)]),
        journal.record([sampleIntent('l2-a', 10, { from: OTHER })]),
      ])
      expect(a!.map((r) => r.runId)).toEqual(['l1-a', 'l1-b'])
      expect(b!.map((r) => r.runId)).toEqual(['l2-a'])
      expect(b![0]!.id).toBeGreaterThan(a![1]!.id)
      expect(journal.byRun('l2-a')).toEqual(b)
    })

    it('records nothing from a batch that fails (a second normal attempt of the same call)', async () => {
      const journal = await fresh()
      journal.recordBatch([sampleIntent('dup', 0)])
      expect(() => journal.recordBatch([sampleIntent('fresh', 1), sampleIntent('dup', 2)])).toThrow()
      expect(journal.byRun('fresh')).toEqual([])
      expect(journal.byRun('dup')).toHaveLength(1)
    })

    it("finds attempts by hash, by call and by run; dry runs are not the call's normal attempt", async () => {
      const journal = await fresh()
      const [dry] = journal.recordBatch([sampleIntent('r', 0, { dryRun: true, hash: null, rawTx: null })])
      const [real] = journal.recordBatch([sampleIntent('r', 0)])
      expect(journal.findByHash(real!.hash!)?.id).toBe(real!.id)
      expect(journal.findByHash(keccak256('0x99'))).toBeUndefined()
      expect(journal.findNormal('r', 0)?.id).toBe(real!.id)
      expect(journal.findNormal('r', 1)).toBeUndefined()
      expect(journal.byRun('r').map((x) => [x.id, x.dryRun])).toEqual([
        [dry!.id, true],
        [real!.id, false],
      ])
      expect(journal.openRoots()).toEqual([real!.id])
    })

    it('a status change sets its fields; a broadcast counts and a mined row keeps its first mined time', async () => {
      const journal = await fresh()
      const [row] = journal.recordBatch([sampleIntent('s', 0)])
      clock = 2_000
      journal.setStatus(row!.id, 'broadcast', { broadcast: true })
      expect(journal.get(row!.id)).toMatchObject({
        status: 'broadcast',
        broadcastCount: 1,
        broadcastAt: 2_000,
        updatedAt: 2_000,
      })
      clock = 3_000
      journal.setStatus(row!.id, 'mined', { blockHash: keccak256('0x02'), blockNumber: 7 })
      clock = 4_000
      journal.setStatus(row!.id, 'mined', { error: 'seen again' })
      expect(journal.get(row!.id)).toMatchObject({
        status: 'mined',
        minedAt: 3_000,
        blockNumber: 7,
        blockHash: keccak256('0x02'),
        error: 'seen again',
        broadcastCount: 1,
      })
    })

    it('settles a group: the mined attempt wins, the others become replaced', async () => {
      const journal = await fresh()
      const [root] = journal.recordBatch([sampleIntent('g', 5)])
      const [bump] = journal.recordBatch([
        sampleIntent('g', 5, { rootId: root!.id, kind: 'replacement', maxFeePerGas: 3n }),
      ])
      expect(bump!.rootId).toBe(root!.id)
      expect(journal.openRoots(CONFORMANCE_CHAIN, FROM)).toEqual([root!.id])
      journal.settleGroup(root!.id, bump!.id, 'confirmed', { blockHash: keccak256('0x02'), blockNumber: 9 })
      expect(journal.group(root!.id).map((r) => [r.status, r.blockNumber])).toEqual([
        ['replaced', null],
        ['confirmed', 9],
      ])
      expect(journal.openRoots()).toEqual([])
      expect(journal.maxOpenNonce(CONFORMANCE_CHAIN, FROM)).toBe(-1)
    })

    it('closes every open row of a group with the status and error given', async () => {
      const journal = await fresh()
      const [root] = journal.recordBatch([sampleIntent('c', 3)])
      const [cancel] = journal.recordBatch([sampleIntent('c', 3, { rootId: root!.id, kind: 'cancel', value: 0n })])
      journal.setStatus(root!.id, 'replaced')
      journal.closeGroup(root!.id, 'needs_attention', 'nonce taken by an unknown transaction')
      expect(journal.group(root!.id).map((r) => [r.id, r.status])).toEqual([
        [root!.id, 'replaced'],
        [cancel!.id, 'needs_attention'],
      ])
      expect(journal.get(cancel!.id)?.error).toBe('nonce taken by an unknown transaction')
    })

    it('applies the writes of a batch together and returns its value', async () => {
      const journal = await fresh()
      const rows = journal.recordBatch([sampleIntent('b1', 0), sampleIntent('b2', 1)])
      const out = journal.batch(() => {
        for (const r of rows) journal.setStatus(r.id, 'broadcast', { broadcast: true })
        return 'done'
      })
      expect(out).toBe('done')
      expect(rows.map((r) => journal.get(r.id)?.status)).toEqual(['broadcast', 'broadcast'])
    })

    it('counts spend of normal, non-dry-run attempts since a time: native with worst-case gas, and token amounts', async () => {
      const journal = await fresh()
      journal.recordBatch([sampleIntent('t1', 0, { tokenAddress: TOKEN, tokenAmount: 500n })])
      clock = 5_000
      const [root] = journal.recordBatch([sampleIntent('t2', 1)])
      journal.recordBatch([sampleIntent('t2', 1, { rootId: root!.id, kind: 'replacement', maxFeePerGas: 9n })])
      journal.recordBatch([sampleIntent('t3', 2, { dryRun: true, hash: null, rawTx: null, value: 1_000n })])
      const all = journal.spendSince(CONFORMANCE_CHAIN, FROM, 0)
      expect(all.native).toBe(2n * (10n + 21_000n * 2n))
      expect([...all.tokens].map(([k, v]) => [k.toLowerCase(), v])).toEqual([[TOKEN, 500n]])
      expect(journal.spendSince(CONFORMANCE_CHAIN, FROM, 5_000).native).toBe(10n + 21_000n * 2n)
      expect(journal.spendSince(CONFORMANCE_CHAIN, OTHER, 0).native).toBe(0n)
    })
  })
}
