// The engine's lanes on anvil: the wait between passes and its abort, the readiness pass after a restart or a lane
// taken back, and one lane per wallet.
import { getEventListeners } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { IntentStatus, LaneOwnership } from '../../src/chain/intent-types.ts'
import { IntentPendingError } from '../../src/chain/tx-errors.ts'
import { ANVIL_TEST_KEYS } from '../../src/devnet/anvil.ts'
import { minedTxsFrom, randomAddress, startEngineFixture, type EngineFixture } from './engine-fixture.ts'
import { pause, startLoopFixture, until, type LoopFixture } from './confirm-loop-fixture.ts'

const RECEIPT = 'eth_getTransactionReceipt'
/** Confirmations counted at poll pace; no rebroadcast or bump gets due on its own. */
const COUNTING = { rebroadcastMs: 60_000, stuckAfterMs: 60_000, maxBumps: 0, confirmations: 2 }

describe('engine lanes', () => {
  let l: LoopFixture | undefined
  let f: EngineFixture | undefined
  afterEach(async () => {
    await l?.close()
    await f?.close()
    l = f = undefined
  })

  it('counting confirmations, the loop waits pollMs between passes, leaks no abort listener, and an abort ends the wait', async () => {
    l = await startLoopFixture({ ...COUNTING, pollMs: 3_000 }, { automine: true })
    const { fx } = l
    // No signal at all: the wait must still be a wait, not a loop that spins on the node.
    const first = await l.transfer('count-1', 'mined')
    const reads = l.calls(RECEIPT)
    await pause(600)
    expect(l.calls(RECEIPT)).toBe(reads)
    await fx.rpc('evm_mine')
    expect(await first.pending).toMatchObject({ hash: first.row.hash })

    // A signal that stays unaborted over many passes gathers no listeners.
    fx.restart({ ...COUNTING, pollMs: 100 })
    const live = new AbortController()
    const second = await l.transfer('count-2', 'mined', live.signal)
    const r2 = l.calls(RECEIPT)
    await until(() => l!.calls(RECEIPT) >= r2 + 2 || undefined, 'two passes')
    const listeners = getEventListeners(live.signal, 'abort').length
    await until(() => l!.calls(RECEIPT) >= r2 + 12 || undefined, 'ten more passes')
    expect(getEventListeners(live.signal, 'abort').length).toBeLessThanOrEqual(listeners + 1)
    await fx.rpc('evm_mine')
    expect(await second.pending).toMatchObject({ hash: second.row.hash })

    // A minute between passes: only the abort can end this wait in time.
    fx.restart({ ...COUNTING, pollMs: 60_000 })
    const ac = new AbortController()
    const third = await l.transfer('count-3', 'mined', ac.signal)
    let done = false
    void third.pending.then(() => (done = true))
    await pause(200)
    ac.abort(new Error('the run stopped waiting'))
    const err = await until(() => (done ? third.pending : undefined), 'the aborted wait to end', 5_000)
    expect(err).toBeInstanceOf(IntentPendingError)
    expect(fx.engine.journal.get(third.row.id)!.status).toBe('mined')
  })

  it('an abort that lands while a check is in flight ends the wait at once, not after the block-scan wait', async () => {
    // The block-scan wait is min(rebroadcast, stuck) / 2 = 30 s; the node answers the first look 800 ms late.
    l = await startLoopFixture({ pollMs: 30, rebroadcastMs: 60_000, stuckAfterMs: 60_000 })
    l.proxy.addRule({ method: RECEIPT, fault: { kind: 'delay', ms: 800 }, times: 1 })
    const ac = new AbortController()
    const { pending } = await l.transfer('late-abort', 'broadcast', ac.signal)
    let done = false
    void pending.then(() => (done = true))
    await until(() => l!.calls(RECEIPT) === 1 || undefined, 'the first look')
    ac.abort(new Error('the run stopped waiting'))
    const err = await until(() => (done ? pending : undefined), 'the aborted wait to end', 8_000)
    expect(err).toBeInstanceOf(IntentPendingError)
  })

  it('an abort during a direct check ends the wait, and the log shows no failed step', async () => {
    // Passes every 50 ms; a direct check once per 1,000 ms of the frozen clock.
    l = await startLoopFixture({ pollMs: 30, rebroadcastMs: 60_000, stuckAfterMs: 100, maxBumps: 0 })
    const { fx, clock, proxy } = l
    const ac = new AbortController()
    const { pending } = await l.transfer('abort-direct', 'broadcast', ac.signal)
    let done = false
    void pending.then(() => (done = true))
    await until(() => l!.calls(RECEIPT) === 1 || undefined, 'the first look')
    proxy.addRule({ method: RECEIPT, fault: { kind: 'delay', ms: 800 }, times: 1 })
    clock.advance(1_000)
    await until(() => l!.calls(RECEIPT) === 2 || undefined, 'a direct check')
    // The receipt read is on the wire; the nonce read after it refuses to start.
    ac.abort(new Error('the run stopped waiting'))
    const err = await until(() => (done ? pending : undefined), 'the aborted wait to end', 8_000)
    expect(err).toBeInstanceOf(IntentPendingError)
    expect(fx.logLines.filter((x) => x.includes('confirm step failed'))).toEqual([])
  })

  it('a check whose RPC calls all fail is logged and retried; the wait goes on to the receipt', async () => {
    l = await startLoopFixture({ pollMs: 30, rebroadcastMs: 60_000, stuckAfterMs: 100, maxBumps: 0 })
    const { fx, proxy } = l
    // Enough failures for every try of the first look's receipt read.
    proxy.addRule({ method: RECEIPT, fault: { kind: 'http', status: 500 }, times: 5 })
    const { pending, row } = await l.transfer('rpc-down', 'broadcast')
    await until(
      () => fx.logLines.some((x) => x.includes('confirm step failed; retrying')) || undefined,
      'a failed step',
    )
    await fx.rpc('evm_mine')
    expect(await pending).toMatchObject({ hash: row.hash, resumed: false })
  })

  it('the readiness pass re-sends signed, unknown and dropped intents before the first new send, after a restart and after a lane comes back', async () => {
    let takenBack = false
    const lanes: LaneOwnership = { acquire: async () => takenBack }
    const chain = { pollMs: 30, rebroadcastMs: 60_000, stuckAfterMs: 60_000, maxBumps: 0 }
    l = await startLoopFixture(chain, { automine: false }, { lanes })
    const { fx, proxy } = l
    /** Leaves an intent broadcast and open: its run stopped waiting. */
    const leaveOpen = async (runId: string) => {
      const ac = new AbortController()
      const sent = await l!.transfer(runId, 'broadcast', ac.signal)
      ac.abort()
      expect(await sent.pending).toBeInstanceOf(IntentPendingError)
      return sent.row
    }
    /** What a crash leaves in the journal: `status`, although the node has the transaction (mined since). */
    const mark = (id: number, status: IntentStatus) => fx.engine.journal.setStatus(id, status)
    /** The raw transactions sent from now until `runId`'s new one went out, in the order the node got them. */
    const sendsUntil = async (runId: string) => {
      const from = proxy.rawSends().length
      const { pending: next, row } = await l!.transfer(runId)
      return { next, row, sends: proxy.rawSends().slice(from, proxy.rawSends().indexOf(row.rawTx!) + 1) }
    }
    const open = [await leaveOpen('o-0'), await leaveOpen('o-1'), await leaveOpen('o-2'), await leaveOpen('o-3')]
    // Mined before the pass: each re-send is answered "nonce too low" and no nonce gap can hold a later one back.
    await fx.rpc('evm_mine')
    mark(open[0]!.id, 'signed')
    mark(open[1]!.id, 'unknown')
    mark(open[2]!.id, 'dropped')
    // o-3 stays broadcast: the pass leaves it to its driver.
    fx.restart(chain)
    // The drivers the pass starts look for receipts first; held back 3 s, none can settle its intent before the pass
    // re-sends it.
    proxy.addRule({ method: RECEIPT, fault: { kind: 'delay', ms: 3_000 }, times: 8 })
    const a = await sendsUntil('new-1')
    expect(a.sends).toEqual([open[0]!.rawTx, open[1]!.rawTx, open[2]!.rawTx, a.row.rawTx])
    await fx.rpc('evm_mine')
    expect(await a.next).toMatchObject({ nonce: 4, resumed: false })
    for (const o of open) await until(() => fx.engine.journal.get(o.id)!.status === 'confirmed' || undefined, o.runId)

    // Same process: the pass ran once. A lane taken back from a peer runs it again.
    const gone = await leaveOpen('o-5')
    await fx.rpc('evm_mine')
    mark(gone.id, 'signed')
    takenBack = true
    proxy.addRule({ method: RECEIPT, fault: { kind: 'delay', ms: 3_000 }, times: 4 })
    const b = await sendsUntil('new-2')
    expect(b.sends).toEqual([gone.rawTx, b.row.rawTx])
    await fx.rpc('evm_mine')
    expect(await b.next).toMatchObject({ nonce: 6 })
    const mined = (await minedTxsFrom(fx.client, fx.wallet)).map((m) => m.hash)
    expect(mined).toHaveLength(7)
    expect(new Set(mined).size).toBe(7)
  })

  it('two wallets on one chain each send through a lane of their own', async () => {
    const [a, b] = [privateKeyToAccount(ANVIL_TEST_KEYS[0]!), privateKeyToAccount(ANVIL_TEST_KEYS[2]!)]
    f = await startEngineFixture({ engine: { signers: [a, b] } })
    const sendFrom = (wallet: Address, i: number) =>
      f!.engine.send({ chainId: f!.anvil.chainId, to: randomAddress(), value: 1n }, { runId: `w-${i}`, wallet })
    const results = await Promise.all([0, 1, 2, 3].map((i) => sendFrom(i % 2 ? b.address : a.address, i)))
    for (const [who, mine] of [
      [a, [results[0]!, results[2]!]],
      [b, [results[1]!, results[3]!]],
    ] as const) {
      expect(mine.map((r) => r.nonce).sort()).toEqual([0, 1])
      const mined = (await minedTxsFrom(f.client, who.address)).map((m) => m.hash)
      expect(mined.sort()).toEqual(mine.map((r) => r.hash).sort())
    }
  })
})
