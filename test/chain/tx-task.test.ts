// The send_calls task through the scheduler contract: idempotent attempts and a journal-backed reconcile hook.
import { encodeFunctionData, erc20Abi } from 'viem'
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
    originRunId: runId,
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

  it('lists that approve take turns per wallet and chain; lists of transfers pipeline through the lane', async () => {
    // Turns shared as the bot shares them; a second task instance stands for another job's task.
    const turns = createWalletTurns()
    const [taskA, taskB] = [defineSendCallsTask(f.engine, { turns }), defineSendCallsTask(f.engine, { turns })]
    const run = async (runA: string, runB: string, approve: boolean) => {
      const to = Array.from({ length: 4 }, () => randomAddress())
      const first = (i: number) =>
        approve
          ? {
              chainId: f.anvil.chainId,
              to: to[i]!,
              data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [randomAddress(), 1n] }),
            }
          : { chainId: f.anvil.chainId, to: to[i]!, value: '1' }
      const list = (a: number, b: number) => ({
        wallet: f.wallet,
        calls: [first(a), { chainId: f.anvil.chainId, to: to[b]!, value: '1' }],
      })
      await Promise.all([taskA.handler(ctx(runA, list(0, 1))), taskB.handler(ctx(runB, list(2, 3)))])
      return (await minedTxsFrom(f.client, f.wallet))
        .map((t) => to.indexOf(t.to as `0x${string}`))
        .filter((i) => i >= 0)
    }
    // An approval and the call after it are mined before the other list starts.
    expect(await run('run-t4', 'run-t5', true)).toEqual([0, 1, 2, 3])
    // Plain transfers are not held: the second list's first call goes out while the first list waits on its own,
    // so both first calls are mined before either second call (whose order then depends on timing).
    const transfers = await run('run-t6', 'run-t7', false)
    expect(transfers.slice(0, 2).sort()).toEqual([0, 2])
    expect(transfers.slice(2).sort()).toEqual([1, 3])
  })

  it('rejects bad args with every bad field named', async () => {
    const task = defineSendCallsTask(f.engine)
    await expect(task.handler(ctx('run-t3', { wallet: 'nope', calls: [] }))).rejects.toMatchObject({
      code: 'VALIDATION',
    })
  })
})
