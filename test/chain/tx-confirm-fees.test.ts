// The confirm loop's timed actions on anvil with a frozen clock: rebroadcast pace, fee bumps and their fees, cancels.
import { afterEach, describe, expect, it } from 'vitest'
import { encodeFunctionData, keccak256, parseGwei, type Address } from 'viem'
import { minedTxsFrom, randomAddress, TARGET } from './engine-fixture.ts'
import { hex, pause, startLoopFixture, until, type LoopFixture } from './confirm-loop-fixture.ts'
import type { EngineChainConfig } from '../../src/chain/tx-engine.ts'

const SEND = 'eth_sendRawTransaction'
const GWEI = 1_000_000_000n
/** Replacement rule of fees.ts: ceil(x * 1.125). */
const bump = (x: bigint) => (x * 1125n + 999n) / 1000n
const max = (a: bigint, b: bigint) => (a > b ? a : b)

describe('confirm loop timed actions', () => {
  let l: LoopFixture | undefined
  afterEach(async () => {
    await l?.close()
    l = undefined
  })

  /** A fixture with the Target contract deployed, five empty blocks (no tips in the fee history), automine off. */
  const withTarget = async (chain: Partial<EngineChainConfig>) => {
    l = await startLoopFixture(chain, { automine: true })
    const target = await l.fx.deployTarget()
    await l.fx.rpc('anvil_mine', [5])
    await l.fx.rpc('evm_setAutomine', [false])
    return target
  }
  /** Sends Target.hit() and returns the pending outcome and the broadcast root row. */
  const sendHit = async (target: Address, runId: string, deadlineMs?: number) => {
    const { fx } = l!
    const data = encodeFunctionData({ abi: TARGET.abi, functionName: 'hit' })
    // A payable call with value: a cancel must drop the call, the value and the gas limit.
    const call = { chainId: fx.anvil.chainId, to: target, data, value: 7n }
    const pending = l!.settle(fx.engine.send(call, { runId, wallet: fx.wallet, deadlineMs }))
    const root = await until(() => fx.engine.journal.byRun(runId).find((r) => r.status === 'broadcast'), 'broadcast')
    return { pending, root }
  }
  /** Rows of a run once it has `n` of them and the newest was broadcast. */
  const rowsOnce = (runId: string, n: number) =>
    until(() => {
      const rows = l!.fx.engine.journal.byRun(runId)
      return rows.length === n && rows[n - 1]!.broadcastCount > 0 ? rows : undefined
    }, `${n} attempts`)
  /** Nothing new after `ms - 1` of clock; the next attempt (row `n`) exactly at `ms`. */
  const nextAttemptAt = async (runId: string, n: number, ms: number) => {
    l!.clock.advance(ms - 1)
    await pause(400)
    expect(l!.fx.engine.journal.byRun(runId)).toHaveLength(n - 1)
    l!.clock.advance(1)
    return rowsOnce(runId, n)
  }
  /** The fee estimate the engine reads (5 blocks, no tips in them): 2 x next base fee + 1 gwei. */
  const currentFees = async () => {
    const h = await l!.fx.rpc<{ baseFeePerGas: string[]; gasUsedRatio: number[] }>('eth_feeHistory', [
      '0x5',
      'latest',
      [50],
    ])
    expect(h.gasUsedRatio.every((r) => r === 0)).toBe(true)
    return { maxFeePerGas: 2n * BigInt(h.baseFeePerGas.at(-1)!) + GWEI, maxPriorityFeePerGas: GWEI }
  }
  /** Raises the next base fee above what the pending attempts pay and mines an empty block. */
  const spike = async (baseFee: bigint) => {
    await l!.fx.rpc('anvil_setNextBlockBaseFeePerGas', [hex(baseFee)])
    await l!.fx.rpc('evm_mine')
  }

  it('an unknown first broadcast is re-sent at once; an accepted one every rebroadcastMs from its last broadcast', async () => {
    l = await startLoopFixture({ pollMs: 30, rebroadcastMs: 3_000, stuckAfterMs: 100, maxBumps: 0 })
    const { fx, clock, proxy } = l
    // The node takes the tx, the answer is lost: the lane records 'unknown' with no broadcast time.
    proxy.addRule({ method: SEND, fault: { kind: 'http', status: 502 }, phase: 'after', times: 1 })
    const pending = l.settle(
      fx.engine.send(
        { chainId: fx.anvil.chainId, to: randomAddress(), value: 3n },
        { runId: 'rb-1', wallet: fx.wallet },
      ),
    )
    const row = await until(() => fx.engine.journal.byRun('rb-1').find((r) => r.broadcastCount === 1), 'the re-send')
    expect(row).toMatchObject({ status: 'broadcast', broadcastAt: clock.now() })
    const sends = l.calls(SEND)
    expect(sends).toBe(2)
    await pause(300)
    expect(l.calls(SEND)).toBe(2)
    for (let round = 1; round <= 2; round++) {
      clock.advance(2_999)
      await pause(300)
      expect(l.calls(SEND)).toBe(sends + round - 1)
      clock.advance(1)
      await until(() => l!.calls(SEND) === sends + round || undefined, 'a rebroadcast')
      await pause(200)
      expect(l.calls(SEND)).toBe(sends + round)
      expect(fx.engine.journal.get(row.id)).toMatchObject({ broadcastCount: round + 1, broadcastAt: clock.now() })
    }
    await fx.rpc('evm_mine')
    expect(await pending).toMatchObject({ hash: row.hash })
    expect((await minedTxsFrom(fx.client, fx.wallet)).map((m) => m.hash)).toEqual([row.hash])
  })

  it('stuck: bumps at exactly stuckAfterMs, to max(old x 1.125, current estimate), from the previous attempt, maxBumps times', async () => {
    const target = await withTarget({ pollMs: 30, rebroadcastMs: 400, stuckAfterMs: 400, maxBumps: 2 })
    const { fx, clock } = l!
    const { pending, root } = await sendHit(target, 'bump-1')
    expect(root.gasLimit! > 21_000n).toBe(true)
    await spike(root.maxFeePerGas! * 4n)
    expect(await fx.rpc('eth_getTransactionReceipt', [root.hash])).toBeNull()
    const current = await currentFees()
    expect(current.maxFeePerGas > bump(root.maxFeePerGas!)).toBe(true)
    const [, r1] = await nextAttemptAt('bump-1', 2, 400)
    // Same call at the same nonce; fees raised to the spiked estimate, the tip by the replacement rule.
    expect(r1).toMatchObject({
      kind: 'replacement',
      nonce: root.nonce,
      to: root.to,
      value: root.value,
      data: root.data,
      gasLimit: root.gasLimit,
      validUntil: root.validUntil,
      hash: keccak256(r1!.rawTx!),
      maxFeePerGas: current.maxFeePerGas,
      maxPriorityFeePerGas: bump(root.maxPriorityFeePerGas!),
    })
    const [, , r2] = await nextAttemptAt('bump-1', 3, 400)
    expect(r2).toMatchObject({
      kind: 'replacement',
      maxFeePerGas: max(bump(r1!.maxFeePerGas!), current.maxFeePerGas),
      maxPriorityFeePerGas: bump(r1!.maxPriorityFeePerGas!),
    })
    for (let i = 0; i < 2; i++) {
      clock.advance(400)
      await pause(400)
    }
    expect(fx.engine.journal.byRun('bump-1')).toHaveLength(3)
    await spike(GWEI)
    expect(await pending).toMatchObject({ hash: r2!.hash })
    expect((await minedTxsFrom(fx.client, fx.wallet)).map((m) => m.hash)).toEqual([r2!.hash])
    expect(fx.engine.journal.byRun('bump-1').map((r) => r.status)).toEqual(['replaced', 'replaced', 'confirmed'])
    expect(await fx.client.readContract({ address: target, abi: TARGET.abi, functionName: 'hits' })).toBe(1n)
    // The operator reads why a second transaction went out at the nonce: a bump, twice; no cancel.
    expect(fx.logLines.filter((x) => x.includes('not mined in time: fee bump at the same nonce'))).toHaveLength(2)
    expect(fx.logLines.filter((x) => x.includes('cancelling'))).toEqual([])
  })

  it('a bump that would pass the fee cap is not signed; the loop waits and warns once', async () => {
    const target = await withTarget({
      pollMs: 30,
      rebroadcastMs: 400,
      stuckAfterMs: 400,
      maxBumps: 3,
      fees: { maxFeePerGas: parseGwei('20') },
    })
    const { fx, clock } = l!
    const { pending, root } = await sendHit(target, 'cap-1')
    // Next base fee 9.1 gwei: the estimate is 19.2 gwei, under the 20 gwei cap; x 1.125 of it is not.
    await spike(parseGwei('10.4'))
    const current = await currentFees()
    expect(current.maxFeePerGas).toBe(parseGwei('19.2'))
    clock.advance(400)
    const [, r1] = await rowsOnce('cap-1', 2)
    expect(r1).toMatchObject({
      maxFeePerGas: current.maxFeePerGas,
      maxPriorityFeePerGas: bump(root.maxPriorityFeePerGas!),
    })
    for (let i = 0; i < 3; i++) {
      clock.advance(400)
      await pause(300)
    }
    expect(fx.engine.journal.byRun('cap-1')).toHaveLength(2)
    expect(fx.logLines.filter((x) => x.includes('fee bump would exceed the cap'))).toHaveLength(1)
    await spike(GWEI)
    expect(await pending).toMatchObject({ hash: r1!.hash })
  })

  it('past validity: one cancel (self, 0 value, 21000 gas, bumped fees); mined it fails TX_CANCELLED, unmined it needs attention', async () => {
    const target = await withTarget({ pollMs: 30, rebroadcastMs: 400, stuckAfterMs: 600, maxBumps: 1 })
    const { fx, clock } = l!
    const { pending, root } = await sendHit(target, 'cancel-1', 1_000)
    clock.advance(600)
    const [, r1] = await rowsOnce('cancel-1', 2)
    // No block since the send: the estimate is the original's fees, so the bump rule decides.
    expect(r1).toMatchObject({
      kind: 'replacement',
      maxFeePerGas: bump(root.maxFeePerGas!),
      maxPriorityFeePerGas: bump(root.maxPriorityFeePerGas!),
    })
    const [, , cancel] = await nextAttemptAt('cancel-1', 3, 400)
    expect(cancel).toMatchObject({
      kind: 'cancel',
      nonce: root.nonce,
      to: root.from,
      value: 0n,
      data: '0x',
      gasLimit: 21_000n,
      tokenAddress: null,
      maxFeePerGas: bump(r1!.maxFeePerGas!),
      maxPriorityFeePerGas: bump(r1!.maxPriorityFeePerGas!),
    })
    // Neither a second cancel nor a bump of the cancel.
    clock.advance(600)
    await pause(400)
    expect(fx.engine.journal.byRun('cancel-1')).toHaveLength(3)
    await fx.rpc('evm_mine')
    expect(await pending).toMatchObject({
      code: 'TX_CANCELLED',
      message: 'transaction not mined before its validity; cancelled',
    })
    const mined = await minedTxsFrom(fx.client, fx.wallet)
    expect(mined.filter((m) => m.nonce === root.nonce).map((m) => m.hash)).toEqual([cancel!.hash])
    expect(await fx.client.readContract({ address: target, abi: TARGET.abi, functionName: 'hits' })).toBe(0n)
    expect(fx.logLines.filter((x) => x.includes('past validity: cancelling at the same nonce'))).toHaveLength(1)

    // A cancel signed before any bump (validity 500 < stuck 600) is not bumped either, and is given up
    // stuckAfterMs x (maxBumps + 1) = 1200 after it was signed when it is never mined.
    const next = await sendHit(target, 'cancel-2', 500)
    clock.advance(500)
    const [, cancel2] = await rowsOnce('cancel-2', 2)
    expect(cancel2).toMatchObject({ kind: 'cancel', maxFeePerGas: bump(next.root.maxFeePerGas!) })
    let done = false
    void next.pending.then(() => (done = true))
    clock.advance(600)
    await pause(400)
    clock.advance(599)
    await pause(400)
    expect(done).toBe(false)
    expect(fx.engine.journal.byRun('cancel-2')).toHaveLength(2)
    clock.advance(1)
    const reason = `cancel of intent ${next.root.id} at nonce ${next.root.nonce} not mined in time`
    expect(await next.pending).toMatchObject({ code: 'TX_NEEDS_ATTENTION', message: expect.stringContaining(reason) })
    expect(fx.engine.journal.byRun('cancel-2').map((r) => [r.status, r.error])).toEqual(
      Array(2).fill(['needs_attention', reason]),
    )
  })
})
