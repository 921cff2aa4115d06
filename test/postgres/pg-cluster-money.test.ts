// The money side of a cluster on a real PostgreSQL: the shared circuit breaker (a trip on one instance halts
// all), nonce-lane leases (one holder, takeover after the lease lapses) and the journal's fence (an instance
// without the lane's lease cannot record an attempt, so it cannot send).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keccak256, type Address, type Hex } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresBinDir, startPostgres } from '../../scripts/postgres.ts'
import type { NewIntent } from '../../src/chain/intent-types.ts'
import { createCircuitBreaker } from '../../src/risk/circuit-breaker.ts'
import { openDatabase } from '../../src/store/database.ts'
import { createPgIntentJournal } from '../../src/store/postgres/pg-intent-journal.ts'
import { createPgLaneLeases } from '../../src/store/postgres/pg-lanes.ts'
import { shareBreaker } from '../../src/store/postgres/pg-shared-breaker.ts'
import { createPostgresSchedulerStore } from '../../src/store/postgres/postgres-scheduler-store.ts'

const available = process.env.TEST_PG_URL !== undefined || postgresBinDir() !== null
if (!available && process.env.CI) throw new Error('PostgreSQL is missing in CI: .ci/run installs it with apt')
const server = available ? await startPostgres() : undefined
afterAll(() => server?.stop())
const dir = mkdtempSync(join(tmpdir(), 'cluster-money-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const WALLET = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address
const intent = (runId: string, nonce: number): NewIntent => ({
  runId,
  callIndex: 0,
  chainId: 31337,
  from: WALLET,
  nonce,
  to: WALLET,
  value: 5n,
  data: '0x',
  dataHash: keccak256('0x'),
  kind: 'normal',
  rawTx: `0x02${nonce.toString(16).padStart(4, '0')}` as Hex,
  hash: keccak256(`0x${nonce.toString(16).padStart(4, '0')}`),
  validUntil: Date.now() + 60_000,
  gasLimit: 21_000n,
  maxFeePerGas: 10n,
  maxPriorityFeePerGas: 1n,
})

describe.skipIf(!server)('cluster money path on PostgreSQL', () => {
  it('a trip or halt on one instance halts all until that instance releases or resets', () => {
    const url = server!.createDatabase('shared_breaker')
    const pg = createPostgresSchedulerStore({ url }).pg
    const config = {
      riskScoreThreshold: 80,
      maxConsecutiveFailures: 2,
      defaultDailyGasBudgetWei: 10n ** 18n,
      maxDrawdownBps: 2_000,
      circuitBreakerTimeoutMs: 60_000,
    }
    let clock = Date.now()
    const now = () => clock
    const a = shareBreaker(createCircuitBreaker({ db: openDatabase({ path: join(dir, 'a.db') }), config, now }), {
      pg,
      instanceId: 'a',
      cacheMs: 0,
      now,
    })
    const b = shareBreaker(createCircuitBreaker({ db: openDatabase({ path: join(dir, 'b.db') }), config, now }), {
      pg,
      instanceId: 'b',
      cacheMs: 0,
      now,
    })
    const calm = { riskScore: 10, staleOracles: [] }
    expect(b.evaluate(calm).state).toBe('closed')
    // An operator's halt on A halts B; A's release frees both.
    a.halt('maintenance')
    expect(b.status()).toMatchObject({
      state: 'open',
      manualHalt: expect.stringMatching(/tripped on instance a: maintenance/),
    })
    a.release('done')
    expect(b.status().state).toBe('closed')
    // Failures on B trip B's own breaker; A, with no failures of its own, is halted too...
    b.recordJobResult(false)
    b.recordJobResult(false)
    expect(b.evaluate(calm).state).toBe('open')
    const seen = a.evaluate(calm)
    expect(seen.state).toBe('open')
    expect(seen.manualHalt).toMatch(/tripped on instance b: consecutive_failures/)
    // ...until B resets after its timeout with every cause cleared.
    clock += 61_000
    expect(a.evaluate(calm).state).toBe('open')
    expect(b.evaluate(calm).state).toBe('closed')
    expect(a.evaluate(calm).state).toBe('closed')
    pg.close()
  })

  it('one lane holder at a time; the fence refuses an instance without the lease; a lapsed lease is taken over', async () => {
    const url = server!.createDatabase('lanes')
    const pg = createPostgresSchedulerStore({ url }).pg
    const x = createPgLaneLeases({ pg, instanceId: 'x', leaseMs: 1_500, retryMs: 50 })
    const y = createPgLaneLeases({ pg, instanceId: 'y', leaseMs: 1_500, retryMs: 50 })
    const jx = createPgIntentJournal({ pg, instanceId: 'x' })
    const jy = createPgIntentJournal({ pg, instanceId: 'y' })
    expect(await x.acquire(31337, WALLET)).toBe(true)
    expect(await x.acquire(31337, WALLET)).toBe(false)
    const [row] = jx.recordBatch([intent('run-1', 0)])
    expect(row).toMatchObject({ runId: 'run-1', nonce: 0, status: 'signed', rootId: row!.id })
    // Y has no lease: its journal refuses to record, so nothing can be signed into the lane's nonce sequence.
    expect(() => jy.recordBatch([intent('run-2', 1)])).toThrow(/does not hold the nonce lane/)
    // Y waits while X holds the lane (X renews it), and gets it once X is gone and the lease lapsed.
    const ac = new AbortController()
    const waiting = y.acquire(31337, WALLET, ac.signal)
    let got = false
    void waiting.then(
      () => {
        got = true
      },
      () => undefined,
    )
    await new Promise((r) => setTimeout(r, 2_000))
    expect(got).toBe(false)
    x.close()
    expect(await waiting).toBe(true)
    // The new holder sees the previous holder's open intent (it reconciles it before sending) and can record.
    expect(jy.openRoots(31337, WALLET)).toEqual([row!.id])
    expect(jy.maxOpenNonce(31337, WALLET)).toBe(0)
    expect(jy.recordBatch([intent('run-2', 1)])[0]).toMatchObject({ nonce: 1 })
    expect(() => jx.recordBatch([intent('run-3', 2)])).toThrow(/does not hold the nonce lane/)
    // Spend is read from the shared journal: both instances' intents count.
    expect(jx.spendSince(31337, WALLET, 0).native).toBe(2n * (5n + 21_000n * 10n))
    y.close()
    pg.close()
  })

  it('an idle lane is given back with an intent still open, but never while this instance drives one of it', async () => {
    const url = server!.createDatabase('lanes_idle')
    const pg = createPostgresSchedulerStore({ url }).pg
    const x = createPgLaneLeases({ pg, instanceId: 'x', leaseMs: 1_500, idleMs: 300, retryMs: 50 })
    const y = createPgLaneLeases({ pg, instanceId: 'y', leaseMs: 1_500, idleMs: 300, retryMs: 50 })
    const jx = createPgIntentJournal({ pg, instanceId: 'x' })
    expect(await x.acquire(31337, WALLET)).toBe(true)
    const [row] = jx.recordBatch([intent('run-1', 0)])
    const driven = x.use!(31337, WALLET)
    let got: boolean | undefined
    const waiting = y.acquire(31337, WALLET).then((taken) => (got = taken))
    // X drives the intent: the lane stays with X well past its idle time (several renewal rounds).
    await new Promise((r) => setTimeout(r, 2_000))
    expect(got).toBeUndefined()
    expect(x.held()).toEqual([`31337:${WALLET}`])
    // X's drive ends with the intent still open (its run was dropped here): X keeps renewing its leases but gives
    // this lane back once idle, and Y takes it, new to Y, so Y reconciles the open intent before sending.
    driven()
    expect(await waiting).toBe(true)
    expect(x.held()).toEqual([])
    expect(jx.openRoots(31337, WALLET)).toEqual([row!.id])
    x.close()
    y.close()
    pg.close()
  })
})
