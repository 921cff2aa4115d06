// Stuck, dropped, reorged and foreign-nonce transactions on a real anvil with mining under the test's control.
import { afterEach, describe, expect, it } from 'vitest'
import { parseGwei, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ANVIL_TEST_KEYS } from '../../src/devnet/anvil.ts'
import { minedTxsFrom, randomAddress, startEngineFixture, type EngineFixture } from './engine-fixture.ts'

/** Polls `check` until it returns a value (generous deadline: the machine is shared). */
async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('tx engine recovery', () => {
  let f: EngineFixture | undefined
  afterEach(async () => {
    await f?.close()
    f = undefined
  })

  it('gas above the cap: nothing is sent while it lasts, the job goes out after', async () => {
    f = await startEngineFixture({ chain: { fees: { maxFeePerGas: parseGwei('5') } } })
    const fx = f
    await fx.rpc('anvil_setNextBlockBaseFeePerGas', [`0x${parseGwei('40').toString(16)}`])
    await fx.rpc('evm_mine')
    const errors: string[] = []
    let sentWhileSpiked = -1
    // The scheduler's behaviour for a retryable error: delay and try again.
    const job = (async () => {
      for (;;) {
        try {
          return await fx.engine.send(
            { chainId: fx.anvil.chainId, to: randomAddress(), value: 7n },
            { runId: 'spike-1', wallet: fx.wallet },
          )
        } catch (err) {
          const e = err as { code: string; retryable: boolean }
          if (!e.retryable) throw err
          errors.push(e.code)
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    })()
    await until(() => errors.length >= 3 || undefined, 'three refusals during the spike')
    sentWhileSpiked = await fx.client.getTransactionCount({ address: fx.wallet })
    expect(fx.engine.journal.byRun('spike-1')).toHaveLength(0)
    await fx.rpc('anvil_setNextBlockBaseFeePerGas', [`0x${parseGwei('1').toString(16)}`])
    await fx.rpc('evm_mine')
    const res = await job
    expect(sentWhileSpiked).toBe(0)
    expect(new Set(errors)).toEqual(new Set(['FEE_ABOVE_CAP']))
    expect(res.nonce).toBe(0)
    expect(fx.engine.journal.get(res.intentId)!.maxFeePerGas! <= parseGwei('5')).toBe(true)
  })

  it('a stuck tx is replaced at the same nonce with both fees x1.125; one tx mined, the job gets the new hash', async () => {
    f = await startEngineFixture({
      anvil: { automine: false },
      chain: { stuckAfterMs: 300, maxBumps: 2, rebroadcastMs: 200 },
    })
    const fx = f
    const pending = fx.engine.send(
      { chainId: fx.anvil.chainId, to: randomAddress(), value: 9n },
      { runId: 'stuck-1', wallet: fx.wallet },
    )
    const rows = await until(() => {
      const r = fx.engine.journal.byRun('stuck-1')
      // Mined only once the node has the replacement (see the cancel test below).
      return r.length >= 2 && r[1]!.broadcastCount > 0 ? r : undefined
    }, 'a replacement')
    await fx.rpc('evm_mine')
    const res = await pending
    const [orig, repl] = rows
    expect(repl!.kind).toBe('replacement')
    expect(repl!.nonce).toBe(orig!.nonce)
    expect(repl!.maxFeePerGas! * 1000n >= orig!.maxFeePerGas! * 1125n).toBe(true)
    expect(repl!.maxPriorityFeePerGas! * 1000n >= orig!.maxPriorityFeePerGas! * 1125n).toBe(true)
    const final = fx.engine.journal.byRun('stuck-1')
    const minedHashes = (await minedTxsFrom(fx.client, fx.wallet)).map((t) => t.hash)
    expect(minedHashes).toHaveLength(1)
    expect(res.hash).toBe(minedHashes[0])
    expect(final.filter((r) => r.status === 'confirmed').map((r) => r.hash)).toEqual([res.hash])
    expect(final.find((r) => r.id === orig!.id)!.status).toBe('replaced')
  })

  it('past its validity an unmined tx is cancelled by a 0-value self-transfer at its nonce', async () => {
    f = await startEngineFixture({ anvil: { automine: false }, chain: { stuckAfterMs: 60_000, rebroadcastMs: 200 } })
    const fx = f
    const to = randomAddress()
    const pending = fx.engine
      .send({ chainId: fx.anvil.chainId, to, value: 11n }, { runId: 'cancel-1', wallet: fx.wallet, deadlineMs: 300 })
      .catch((e: unknown) => e)
    // Mine only once the node has the cancel: a block mined between its journal write and its broadcast
    // (rightly) includes the original instead.
    await until(
      () => fx.engine.journal.byRun('cancel-1').find((r) => r.kind === 'cancel' && r.broadcastCount > 0),
      'a cancel',
    )
    await fx.rpc('evm_mine')
    expect(await pending).toMatchObject({ code: 'TX_CANCELLED', retryable: false })
    const mined = await minedTxsFrom(fx.client, fx.wallet)
    expect(mined).toHaveLength(1)
    expect(mined[0]!.to?.toLowerCase()).toBe(fx.wallet.toLowerCase())
    expect(await fx.client.getBalance({ address: to })).toBe(0n)
  })

  it('a dropped tx is re-sent with the same bytes and included exactly once', async () => {
    f = await startEngineFixture({ anvil: { automine: false }, chain: { rebroadcastMs: 200 } })
    const fx = f
    const pending = fx.engine.send(
      { chainId: fx.anvil.chainId, to: randomAddress(), value: 13n },
      { runId: 'drop-1', wallet: fx.wallet },
    )
    const row = await until(() => fx.engine.journal.byRun('drop-1').find((r) => r.status === 'broadcast'), 'broadcast')
    await fx.rpc('anvil_dropTransaction', [row.hash])
    const pool = await fx.rpc<{ pending: Record<string, unknown> }>('txpool_content')
    expect(Object.keys(pool.pending)).toHaveLength(0)
    await until(() => (fx.engine.journal.get(row.id)!.broadcastCount >= 2 ? true : undefined), 'a rebroadcast')
    await fx.rpc('evm_mine')
    const res = await pending
    expect(res.hash).toBe(row.hash)
    const mined = await minedTxsFrom(fx.client, fx.wallet)
    expect(mined.map((m) => m.hash)).toEqual([row.hash])
  })

  it('a reorged-out tx is detected (receipt gone) and re-included exactly once, same bytes', async () => {
    f = await startEngineFixture({ chain: { confirmations: 4, rebroadcastMs: 200 } })
    const fx = f
    const pending = fx.engine.send(
      { chainId: fx.anvil.chainId, to: randomAddress(), value: 17n },
      { runId: 'reorg-1', wallet: fx.wallet },
    )
    const row = await until(() => fx.engine.journal.byRun('reorg-1').find((r) => r.status === 'mined'), 'mined')
    const minedIn = row.blockNumber!
    const head = Number(await fx.client.getBlockNumber())
    await fx.rpc('anvil_reorg', [head - minedIn + 1, []])
    expect(await fx.client.getTransactionReceipt({ hash: row.hash as Hex }).catch(() => null)).toBeNull()
    // Automine re-includes the rebroadcast at once; empty blocks then give it its confirmations.
    const miner = setInterval(() => {
      void fx.rpc('evm_mine').catch(() => undefined)
    }, 60)
    const res = await pending.finally(() => clearInterval(miner))
    expect(res.hash).toBe(row.hash)
    const mined = await minedTxsFrom(fx.client, fx.wallet)
    expect(mined.map((m) => m.hash)).toEqual([row.hash])
    // Either the receipt vanished and the same bytes were re-sent, or the node re-included them itself:
    // both are seen (logged) and the confirmed block is not the reorged-out one.
    expect(fx.logLines.join('')).toMatch(/reorg/)
    expect(fx.engine.journal.get(row.id)!.blockHash).not.toBe(row.blockHash)
  })

  it('restart: open intents are reconciled (same bytes) before new sends; a foreign nonce goes to needs_attention', async () => {
    f = await startEngineFixture({
      anvil: { automine: false },
      chain: { rebroadcastMs: 200, foreignNonceGraceMs: 300 },
    })
    const fx = f
    // Journaled and broadcast, then the process "dies" and the node loses the tx.
    void fx.engine
      .send({ chainId: fx.anvil.chainId, to: randomAddress(), value: 19n }, { runId: 'restart-1', wallet: fx.wallet })
      .catch(() => undefined)
    const row = await until(
      () => fx.engine.journal.byRun('restart-1').find((r) => r.status === 'broadcast'),
      'broadcast',
    )
    await fx.rpc('anvil_dropTransaction', [row.hash])
    const engine = fx.restart()
    await fx.rpc('evm_setAutomine', [true])
    const next = await engine.send(
      { chainId: fx.anvil.chainId, to: randomAddress(), value: 23n },
      { runId: 'restart-2', wallet: fx.wallet },
    )
    const outcomes = await engine.reconcileOpenIntents()
    expect(outcomes.every((o) => o.status === 'confirmed')).toBe(true)
    expect(engine.journal.openRoots()).toEqual([])
    expect(next.nonce).toBe(1)
    const mined = await minedTxsFrom(fx.client, fx.wallet)
    expect(mined.map((m) => m.nonce)).toEqual([0, 1])
    expect(mined[0]!.hash).toBe(row.hash)
    // Another signer with the same key uses nonce 2 while our intent for nonce 2 is lost: never re-sign it.
    await fx.rpc('evm_setAutomine', [false])
    const lost = engine
      .send({ chainId: fx.anvil.chainId, to: randomAddress(), value: 29n }, { runId: 'restart-3', wallet: fx.wallet })
      .catch((e: unknown) => e)
    const ours = await until(() => engine.journal.byRun('restart-3').find((r) => r.status === 'broadcast'), 'broadcast')
    await fx.rpc('anvil_dropTransaction', [ours.hash])
    const other = privateKeyToAccount(ANVIL_TEST_KEYS[0]!)
    const foreign = await other.signTransaction({
      chainId: fx.anvil.chainId,
      type: 'eip1559',
      nonce: 2,
      to: other.address,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: parseGwei('2'),
    })
    await fx.rpc('eth_sendRawTransaction', [foreign])
    await fx.rpc('evm_mine')
    expect(await lost).toMatchObject({ code: 'TX_NEEDS_ATTENTION' })
    expect(await engine.reconcileRun('restart-3')).toMatchObject({ status: 'needs_attention' })
    expect(await engine.reconcileRun('restart-2')).toMatchObject({ status: 'succeeded' })
    expect(await engine.reconcileRun('never-sent')).toEqual({ status: 'rerun' })
    expect((await minedTxsFrom(fx.client, fx.wallet)).map((m) => m.nonce)).toEqual([0, 1, 2])
  })

  it('after a chain reset the lane re-syncs its nonce from the chain (confirmed history is not re-sent)', async () => {
    f = await startEngineFixture()
    const fx = f
    await fx.engine.send(
      { chainId: fx.anvil.chainId, to: randomAddress(), value: 1n },
      { runId: 'reset-1', wallet: fx.wallet },
    )
    await fx.engine.send(
      { chainId: fx.anvil.chainId, to: randomAddress(), value: 2n },
      { runId: 'reset-2', wallet: fx.wallet },
    )
    await fx.rpc('anvil_reset', [])
    expect(await fx.client.getTransactionCount({ address: fx.wallet })).toBe(0)
    const res = await fx.engine.send(
      { chainId: fx.anvil.chainId, to: randomAddress(), value: 3n },
      { runId: 'reset-3', wallet: fx.wallet },
    )
    expect(res.nonce).toBe(0)
    expect((await minedTxsFrom(fx.client, fx.wallet)).map((m) => m.hash)).toEqual([res.hash])
  })
})
