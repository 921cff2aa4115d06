// The confirm loop's pacing, reorg re-sends, foreign nonces and confirmation counting, on anvil with a frozen clock.
import { afterEach, describe, expect, it } from 'vitest'
import { encodeFunctionData, parseGwei, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ANVIL_TEST_KEYS } from '../../src/devnet/anvil.ts'
import { minedTxsFrom, randomAddress, TARGET } from './engine-fixture.ts'
import { pause, startLoopFixture, until, type LoopFixture } from './confirm-loop-fixture.ts'

const RECEIPT = 'eth_getTransactionReceipt'
const NONCE = 'eth_getTransactionCount'
const SEND = 'eth_sendRawTransaction'
/** Fast iterations (the block-scan wait is min(rebroadcast, stuck) / 2 = 50 ms) and no fee bumps. */
const QUICK = { pollMs: 30, rebroadcastMs: 3_000, stuckAfterMs: 100, maxBumps: 0 }

describe('confirm loop', () => {
  let l: LoopFixture | undefined
  afterEach(async () => {
    await l?.close()
    l = undefined
  })

  it('checks directly at once (no nonce read), then once per max(10 x poll, min(rebroadcast, 1 s)) of clock; the scan finds the block', async () => {
    l = await startLoopFixture({ ...QUICK, foreignNonceGraceMs: 0 })
    const { fx, clock } = l
    const { pending, row } = await l.transfer('pace-1')
    const n0 = l.atBroadcast[NONCE]!
    await until(() => l!.calls(RECEIPT) === 1 || undefined, 'the first look')
    await pause(400)
    expect([l.calls(RECEIPT), l.calls(NONCE)]).toEqual([1, n0])
    // directEveryMs = max(30 x 10, min(3000, 1000)) = 1000.
    clock.advance(999)
    await pause(300)
    expect([l.calls(RECEIPT), l.calls(NONCE)]).toEqual([1, n0])
    clock.advance(1)
    await until(() => l!.calls(NONCE) === n0 + 1 || undefined, 'a direct nonce check')
    await pause(300)
    // One receipt and one nonce read; the nonce equals ours (pending), which is no foreign use even with grace 0.
    expect([l.calls(RECEIPT), l.calls(NONCE)]).toEqual([2, n0 + 1])
    // The clock stays frozen: only the block scan can notice the block.
    await fx.rpc('evm_mine')
    expect(await pending).toMatchObject({ hash: row.hash, nonce: 0 })
    expect(l.calls(NONCE)).toBe(n0 + 1)
    expect(fx.engine.journal.byRun('pace-1').map((r) => r.status)).toEqual(['confirmed'])
    // With one confirmation the settle itself records the block: there is no intermediate 'mined' write.
    const receipt = await fx.rpc<{ blockHash: Hex; blockNumber: Hex }>('eth_getTransactionReceipt', [row.hash])
    expect(fx.engine.journal.get(row.id)).toMatchObject({
      blockHash: receipt.blockHash,
      blockNumber: Number(receipt.blockNumber),
    })
    // Settled: its hash is unwatched and the scan stops polling (after a tick that may still be on the wire).
    await pause(300)
    const polls = l.calls('eth_blockNumber')
    await pause(300)
    expect(l.calls('eth_blockNumber')).toBe(polls)

    // With pollMs 150 the ten polls dominate: max(1500, min(3000, 1000)) = 1500.
    const engine = fx.restart({ pollMs: 150 })
    const p2 = l.settle(
      engine.send(
        { chainId: fx.anvil.chainId, to: randomAddress(), value: 6n },
        { runId: 'pace-2', wallet: fx.wallet },
      ),
    )
    await until(() => engine.journal.byRun('pace-2')[0]?.status === 'broadcast' || undefined, 'broadcast')
    const [r0, n1] = [l.atBroadcast[RECEIPT]!, l.atBroadcast[NONCE]!]
    await until(() => l!.calls(RECEIPT) === r0 + 1 || undefined, 'the first look')
    clock.advance(1_499)
    await pause(500)
    expect([l.calls(RECEIPT), l.calls(NONCE)]).toEqual([r0 + 1, n1])
    clock.advance(1)
    await until(() => l!.calls(NONCE) === n1 + 1 || undefined, 'a direct nonce check')
    await fx.rpc('evm_mine')
    expect(await p2).toMatchObject({ nonce: 1 })
  })

  it('a reorg that removes the mined tx: dropped at once, the same bytes re-sent after min(rebroadcast, 4 x poll), mined once', async () => {
    l = await startLoopFixture({ ...QUICK, rebroadcastMs: 5_000, confirmations: 3 })
    const { fx, clock } = l
    const { pending, row } = await l.transfer('reorg-1')
    await fx.rpc('evm_mine')
    const mined = await until(() => fx.engine.journal.get(row.id)!.status === 'mined' || undefined, 'mined')
    expect(mined).toBe(true)
    await fx.rpc('anvil_reorg', [1, []])
    // The node forgets it (not in the pool either): only the engine's re-send brings it back.
    expect(await fx.rpc('txpool_content')).toEqual({ pending: {}, queued: {} })
    // Counting confirmations checks directly on every pass, frozen clock or not.
    const dropped = await until(() => {
      const r = fx.engine.journal.get(row.id)!
      return r.status === 'dropped' ? r : undefined
    }, 'the reorg to be seen')
    expect(dropped).toMatchObject({ error: 'reorged out', blockHash: null, blockNumber: null, broadcastCount: 1 })
    const sends = l.calls(SEND)
    clock.advance(119)
    await pause(300)
    expect(l.calls(SEND)).toBe(sends)
    clock.advance(1)
    await until(() => fx.engine.journal.get(row.id)!.broadcastCount === 2 || undefined, 'the re-send')
    expect(l.calls(SEND)).toBe(sends + 1)
    expect(fx.engine.journal.get(row.id)!.status).toBe('broadcast')
    for (let i = 0; i < 3; i++) await fx.rpc('evm_mine')
    expect(await pending).toMatchObject({ hash: row.hash })
    expect((await minedTxsFrom(fx.client, fx.wallet)).map((m) => m.hash)).toEqual([row.hash])
  })

  /** The wallet's nonce 0 signed again by the same key outside the engine: a transfer to itself. */
  const signForeign = () => {
    const key = privateKeyToAccount(ANVIL_TEST_KEYS[0])
    return key.signTransaction({
      chainId: l!.fx.anvil.chainId,
      type: 'eip1559',
      nonce: 0,
      to: key.address,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: parseGwei('2'),
    })
  }

  it('a foreign tx at our nonce: needs_attention only once the use lasted the grace; a use that vanished restarts it', async () => {
    l = await startLoopFixture({ ...QUICK, foreignNonceGraceMs: 2_000 })
    const { fx, clock } = l
    const { pending, row } = await l.transfer('foreign-1')
    let done = false
    void pending.then(() => (done = true))
    await fx.rpc('anvil_dropTransaction', [row.hash])
    const foreign = await signForeign()
    const snap = await fx.rpc<Hex>('evm_snapshot')
    const mineForeign = async () => {
      await fx.rpc(SEND, [foreign])
      await fx.rpc('evm_mine')
    }
    await mineForeign()
    let n = l.atBroadcast[NONCE]!
    /** Advances the clock by one direct-check period (1000) and waits for that check. */
    const check = async () => {
      clock.advance(1_000)
      n += 1
      await until(() => l!.calls(NONCE) >= n || undefined, 'a direct check')
      await pause(150)
      return { done, status: fx.engine.journal.get(row.id)!.status }
    }
    const open = { done: false, status: 'broadcast' }
    expect(await check()).toEqual(open) // used since now: grace starts
    await fx.rpc('evm_revert', [snap])
    expect(await check()).toEqual(open) // unused again: grace forgotten
    await mineForeign()
    expect(await check()).toEqual(open) // used again: grace starts over (2000 since the first sighting)
    expect(await check()).toEqual(open) // 1000 < 2000
    clock.advance(1_000) // 2000: not less than the grace
    const err = await until(() => (done ? pending : undefined), 'needs_attention', 5_000)
    const reason = `nonce 0 of ${row.from} on chain ${fx.anvil.chainId} was used by a transaction the bot did not sign`
    expect(err).toMatchObject({ code: 'TX_NEEDS_ATTENTION', message: expect.stringContaining(reason) })
    expect(fx.engine.journal.get(row.id)).toMatchObject({ status: 'needs_attention', error: reason })
  })

  it('during the grace, a re-send answered "nonce too low" waits a full rebroadcast period before the next', async () => {
    l = await startLoopFixture({ ...QUICK, rebroadcastMs: 1_000, foreignNonceGraceMs: 60_000 })
    const { fx, clock } = l
    const { pending, row } = await l.transfer('too-low-1')
    await fx.rpc('anvil_dropTransaction', [row.hash])
    await fx.rpc(SEND, [await signForeign()])
    await fx.rpc('evm_mine')
    const sends = l.calls(SEND)
    for (let round = 1; round <= 2; round++) {
      clock.advance(999)
      await pause(300)
      expect(l.calls(SEND)).toBe(sends + round - 1)
      clock.advance(1)
      await until(() => l!.calls(SEND) === sends + round || undefined, 'a re-send')
      // About eight passes of the loop (50 ms each): none of them sends again.
      await pause(400)
      expect(l.calls(SEND)).toBe(sends + round)
      expect(fx.engine.journal.get(row.id)).toMatchObject({ status: 'broadcast', broadcastCount: 1 })
      expect(fx.engine.journal.get(row.id)!.error).toMatch(/nonce too low/i)
    }
    clock.advance(60_000)
    expect(await pending).toMatchObject({ code: 'TX_NEEDS_ATTENTION' })
  })

  it('reconcile looks at the nonce at once; a receipt found after the nonce moved is ours, not a foreign use', async () => {
    l = await startLoopFixture({ ...QUICK, foreignNonceGraceMs: 0 })
    const { fx, proxy } = l
    const ac = new AbortController()
    const first = l.settle(
      fx.engine.send(
        { chainId: fx.anvil.chainId, to: randomAddress(), value: 8n },
        { runId: 'late-1', wallet: fx.wallet, signal: ac.signal },
      ),
    )
    const row = await until(() => fx.engine.journal.byRun('late-1').find((r) => r.status === 'broadcast'), 'broadcast')
    ac.abort()
    expect(await first).toMatchObject({ code: 'TX_PENDING' })
    const engine = fx.restart()
    // The nonce answer is held back while the tx is mined: state moved on after the receipt was looked for.
    proxy.addRule({ method: NONCE, fault: { kind: 'delay', ms: 600 }, times: 1 })
    const n = l.calls(NONCE)
    const outcomes = l.settle(engine.reconcileOpenIntents())
    await until(() => l!.calls(NONCE) === n + 1 || undefined, 'the nonce read of the first look')
    await fx.rpc('evm_mine')
    expect(await outcomes).toMatchObject([{ status: 'confirmed', row: { id: row.id, hash: row.hash } }])
    expect(engine.journal.get(row.id)!.status).toBe('confirmed')
  })

  it('confirmations 3: mined is recorded, polled at poll pace, confirmed at the third block; a block move is followed', async () => {
    // The block-scan wait is 30 s here: only the scan (or the counting pace) can make this test finish in time.
    l = await startLoopFixture({ pollMs: 30, rebroadcastMs: 60_000, stuckAfterMs: 60_000, confirmations: 3 })
    const { fx } = l
    const { pending, row } = await l.transfer('conf-1')
    let done = false
    void pending.then(() => (done = true))
    await until(() => l!.calls(RECEIPT) === 1 || undefined, 'the first look')
    await fx.rpc('evm_mine')
    const block1 = await fx.client.getBlock({ blockNumber: 1n })
    const mined = await until(() => {
      const r = fx.engine.journal.get(row.id)!
      return r.status === 'mined' ? r : undefined
    }, 'mined')
    expect(mined).toMatchObject({ blockNumber: 1, blockHash: block1.hash })
    // The same tx in a rebuilt block 1: confirmations restart on the new block.
    await fx.rpc('anvil_reorg', [1, [[row.rawTx, 0]]])
    const moved = await fx.client.getBlock({ blockNumber: 1n })
    expect(moved.hash).not.toBe(block1.hash)
    await until(() => fx.engine.journal.get(row.id)!.blockHash === moved.hash || undefined, 'the move to be recorded')
    await fx.rpc('evm_mine')
    const seen = l.calls(RECEIPT)
    await until(() => l!.calls(RECEIPT) >= seen + 5 || undefined, 'five passes at poll pace', 8_000)
    // Two of three blocks: still open.
    expect(done).toBe(false)
    expect(fx.engine.journal.get(row.id)).toMatchObject({ status: 'mined', blockNumber: 1, blockHash: moved.hash })
    await fx.rpc('evm_mine')
    const res = await until(() => (done ? pending : undefined), 'confirmation at the third block', 8_000)
    expect(res).toMatchObject({ hash: row.hash, receipt: { blockNumber: 1, blockHash: moved.hash } })
    expect(fx.engine.journal.get(row.id)).toMatchObject({ status: 'confirmed', blockHash: moved.hash })
    expect(fx.logLines.filter((x) => x.includes('moved to another block'))).toHaveLength(1)
  })

  it('a tx that reverts on chain fails the run with TX_REVERTED and the block it was mined in', async () => {
    l = await startLoopFixture(QUICK, { automine: true })
    const { fx } = l
    const target = await l.fx.deployTarget()
    await fx.rpc('evm_setAutomine', [false])
    const data = encodeFunctionData({ abi: TARGET.abi, functionName: 'hit' })
    const pending = l.settle(
      fx.engine.send({ chainId: fx.anvil.chainId, to: target, data }, { runId: 'rev-1', wallet: fx.wallet }),
    )
    const row = await until(() => fx.engine.journal.byRun('rev-1').find((r) => r.status === 'broadcast'), 'broadcast')
    // PUSH1 0 PUSH1 0 REVERT: simulated fine, reverts when mined.
    await fx.rpc('anvil_setCode', [target, '0x60006000fd'])
    await fx.rpc('evm_mine')
    const block = await fx.client.getBlock()
    expect(await pending).toMatchObject({
      code: 'TX_REVERTED',
      message: 'transaction the transaction was mined and reverted',
      details: { intentId: row.id, hash: row.hash, nonce: row.nonce },
    })
    expect(fx.engine.journal.get(row.id)).toMatchObject({
      status: 'failed',
      error: 'reverted on chain',
      blockNumber: Number(block.number),
      blockHash: block.hash,
    })
  })
})
