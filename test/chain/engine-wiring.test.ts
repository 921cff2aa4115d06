// The engine's wiring on a real anvil: an unknown chain, its clock reaching the journal, what its reconcile calls
// return, and how it tells cluster lane leases that an intent of a lane is being driven.
import { afterEach, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import type { LaneOwnership } from '../../src/chain/intent-types.ts'
import { IntentPendingError, TxConfigError } from '../../src/chain/tx-errors.ts'
import { until } from './confirm-loop-fixture.ts'
import { randomAddress, startEngineFixture, type EngineFixture } from './engine-fixture.ts'

describe('tx engine wiring', () => {
  let f: EngineFixture | undefined
  afterEach(async () => {
    await f?.close()
    f = undefined
  })

  /** Sends with mining off and stops waiting once the transaction is broadcast: an intent left open. */
  async function leaveOpen(fx: EngineFixture, runId: string) {
    await fx.rpc('evm_setAutomine', [false])
    const ac = new AbortController()
    const sent = fx.engine
      .send(
        { chainId: fx.anvil.chainId, to: randomAddress(), value: 3n },
        { runId, wallet: fx.wallet, signal: ac.signal },
      )
      .catch((e: unknown) => e)
    const row = await until(() => fx.engine.journal.byRun(runId).find((r) => r.status === 'broadcast'), 'broadcast')
    ac.abort(new Error('the run stopped waiting'))
    expect(await sent).toBeInstanceOf(IntentPendingError)
    return row
  }

  it('refuses a chain that is not configured before anything is journaled', async () => {
    f = await startEngineFixture()
    const err = await f.engine
      .send({ chainId: 999_999, to: randomAddress(), value: 1n }, { runId: 'unknown-chain', wallet: f.wallet })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TxConfigError)
    expect((err as TxConfigError).code).toBe('TX_UNKNOWN_CHAIN')
    expect(f.engine.journal.byRun('unknown-chain')).toEqual([])
  })

  it("journals with the engine's clock, not the wall clock", async () => {
    const at = Date.now() + 3 * 86_400_000
    f = await startEngineFixture({ engine: { now: () => at } })
    const res = await f.engine.send(
      { chainId: f.anvil.chainId, to: randomAddress(), value: 2n },
      { runId: 'clock', wallet: f.wallet },
    )
    expect(f.engine.journal.get(res.intentId)).toMatchObject({ createdAt: at, status: 'confirmed' })
    expect(res.resumed).toBe(false)
  })

  it('tells the step hook each step of a send, with its run and nonce, ending with the wait for the receipt', async () => {
    const steps: string[] = []
    f = await startEngineFixture({
      engine: { onStep: (step, { runId, nonce }) => void steps.push(`${step} ${runId} ${nonce}`) },
    })
    await f.engine.send(
      { chainId: f.anvil.chainId, to: randomAddress(), value: 2n },
      { runId: 'steps', wallet: f.wallet },
    )
    expect(steps).toEqual(['signed steps 0', 'journaled steps 0', 'broadcast steps 0', 'awaiting_receipt steps 0'])
  })

  it('reconciling open intents returns each outcome; a run reconciled with its wait aborted needs a person', async () => {
    f = await startEngineFixture()
    const row = await leaveOpen(f, 'open-1')
    // The intent is still pending and the caller gave up waiting: the verdict is not guessed.
    const verdict = await f.engine.reconcileRun('open-1', { expectedCalls: 1, signal: AbortSignal.abort() })
    expect(verdict).toMatchObject({ status: 'needs_attention', reason: expect.stringContaining('still pending') })
    await f.rpc('evm_mine')
    const outcomes = await f.engine.reconcileOpenIntents()
    expect(outcomes).toHaveLength(1)
    expect(outcomes[0]).toMatchObject({ status: 'confirmed', row: { rootId: row.id, hash: row.hash } })
    expect(await f.engine.reconcileRun('open-1', { expectedCalls: 1 })).toMatchObject({
      status: 'succeeded',
      result: { hashes: [row.hash] },
    })
  })

  it('a run that only dry-ran sent nothing and took no lane: reconciling it re-runs it', async () => {
    const asked: string[] = []
    const lanes: LaneOwnership = {
      async acquire(_, wallet) {
        asked.push(wallet)
        return false
      },
    }
    f = await startEngineFixture({ engine: { lanes } })
    await f.engine.send(
      { chainId: f.anvil.chainId, to: randomAddress(), value: 4n },
      { runId: 'dry-only', wallet: f.wallet, dryRun: true },
    )
    expect(f.engine.journal.byRun('dry-only')).toHaveLength(1)
    expect(asked).toEqual([])
    expect(await f.engine.reconcileRun('dry-only', { expectedCalls: 1 })).toEqual({ status: 'rerun' })
  })

  it('marks a lane in use for exactly as long as one of its intents is driven', async () => {
    const events: string[] = []
    const lanes: LaneOwnership = {
      async acquire(chainId, wallet) {
        events.push(`acquire ${chainId}:${wallet}`)
        return false
      },
      use(chainId: number, wallet: Address) {
        events.push(`use ${chainId}:${wallet}`)
        return () => events.push(`done ${chainId}:${wallet}`)
      },
    }
    f = await startEngineFixture({ engine: { lanes } })
    const key = `${f.anvil.chainId}:${f.wallet.toLowerCase()}`
    const row = await leaveOpen(f, 'lane-use')
    // The aborted wait ended the drive: the lane is free to go although the intent is open.
    expect(events).toEqual([`acquire ${f.anvil.chainId}:${f.wallet}`, `use ${key}`, `done ${key}`])
    events.length = 0
    const resumed = f.engine.send(
      { chainId: f.anvil.chainId, to: row.to as Address, value: 3n },
      { runId: 'lane-use', wallet: f.wallet },
    )
    await until(() => (events.length === 2 ? true : undefined), 'the resumed drive')
    // A journaled call is resumed at once: one lease request, not a second one for a new send.
    expect(events).toEqual([`acquire ${f.anvil.chainId}:${row.from}`, `use ${key}`])
    // A second wait on the same intent shares its driver: one bump or cancel decision per intent, never two.
    const again = f.engine.reconcileRun('lane-use', { expectedCalls: 1 })
    await until(() => (events.length === 3 ? true : undefined), "the second wait's lease request")
    await f.rpc('evm_mine')
    expect(await resumed).toMatchObject({ resumed: true, hash: row.hash })
    expect(await again).toMatchObject({ status: 'succeeded' })
    expect(events.slice(2)).toEqual([`acquire ${f.anvil.chainId}:${row.from}`, `done ${key}`])
  })
})
