// The send_calls task through the scheduler contract: idempotent attempts and a journal-backed reconcile hook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineSendCallsTask } from '../../src/chain/tx-task.ts'
import { createWalletTurns } from '../../src/chain/wallet-turns.ts'
import type { RunContext } from '../../src/scheduler/index.ts'
import { minedTxsFrom, randomAddress, startEngineFixture, type EngineFixture } from './engine-fixture.ts'

describe('send_calls task', () => {
  let f: EngineFixture
  beforeAll(async () => {
    f = await startEngineFixture()
  })
  afterAll(async () => {
    await f?.close()
  })

  const ctx = (runId: string, args: unknown, attempt = 1): RunContext => ({
    jobId: 'job-1',
    runId,
    attempt,
    args,
    metadata: {},
    signal: new AbortController().signal,
  })

  it('sends the calls in order; a second attempt of the same run re-sends nothing', async () => {
    const task = defineSendCallsTask(f.engine)
    expect(task).toMatchObject({ type: 'send_calls', recovery: 'reconcile' })
    const args = {
      wallet: f.wallet,
      calls: [
        { chainId: f.anvil.chainId, to: randomAddress(), value: '5' },
        { chainId: f.anvil.chainId, to: randomAddress(), value: '6' },
      ],
    }
    const first = (await task.handler(ctx('run-t1', args))) as { hashes: string[] }
    expect(first.hashes).toHaveLength(2)
    const again = (await task.handler(ctx('run-t1', args, 2))) as { hashes: string[] }
    expect(again.hashes).toEqual(first.hashes)
    expect((await minedTxsFrom(f.client, f.wallet)).map((t) => t.hash)).toEqual(first.hashes)
    expect(await task.reconcile!({ ...ctx('run-t1', args), attempt: 1 })).toEqual({
      status: 'succeeded',
      result: { hashes: first.hashes, blockNumbers: expect.any(Array) },
    })
  })

  it('reconcile: nothing journaled -> rerun; some calls sent -> rerun that sends only the rest', async () => {
    const task = defineSendCallsTask(f.engine)
    const args = {
      wallet: f.wallet,
      calls: [
        { chainId: f.anvil.chainId, to: randomAddress(), value: '7' },
        { chainId: f.anvil.chainId, to: randomAddress(), value: '8' },
      ],
    }
    expect(await task.reconcile!({ ...ctx('run-t2', args) })).toEqual({ status: 'rerun' })
    // The process died after the first call was confirmed.
    await f.engine.send(
      { chainId: f.anvil.chainId, to: args.calls[0]!.to as `0x${string}`, value: 7n },
      { runId: 'run-t2', wallet: f.wallet, callIndex: 0 },
    )
    expect(await task.reconcile!({ ...ctx('run-t2', args) })).toEqual({ status: 'rerun' })
    const before = await f.client.getTransactionCount({ address: f.wallet })
    const res = (await task.handler(ctx('run-t2', args, 2))) as { hashes: string[] }
    expect(res.hashes).toHaveLength(2)
    expect(await f.client.getTransactionCount({ address: f.wallet })).toBe(before + 1)
  })

  it('two lists from one wallet started together do not interleave: each sends all its calls in its turn', async () => {
    // Turns shared as the bot shares them; a second task instance stands for another job's task.
    const turns = createWalletTurns()
    const [taskA, taskB] = [defineSendCallsTask(f.engine, { turns }), defineSendCallsTask(f.engine, { turns })]
    const to = Array.from({ length: 4 }, () => randomAddress())
    const list = (a: number, b: number) => ({
      wallet: f.wallet,
      calls: [
        { chainId: f.anvil.chainId, to: to[a]!, value: '1' },
        { chainId: f.anvil.chainId, to: to[b]!, value: '1' },
      ],
    })
    await Promise.all([taskA.handler(ctx('run-t4', list(0, 1))), taskB.handler(ctx('run-t5', list(2, 3)))])
    const order = (await minedTxsFrom(f.client, f.wallet))
      .map((t) => to.indexOf(t.to as `0x${string}`))
      .filter((i) => i >= 0)
    expect(order).toEqual([0, 1, 2, 3])
  })

  it('rejects bad args with every bad field named', async () => {
    const task = defineSendCallsTask(f.engine)
    await expect(task.handler(ctx('run-t3', { wallet: 'nope', calls: [] }))).rejects.toMatchObject({
      code: 'VALIDATION',
    })
  })
})
