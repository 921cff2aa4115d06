// RPC faults through the proxy: failing broadcasts under concurrency, and chaos (errors, hangs, stale heights).
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors/app-error.ts'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'
import { minedTxsFrom, randomAddress, startEngineFixture, type EngineFixture } from './engine-fixture.ts'

describe('tx engine behind a faulty RPC', () => {
  let f: EngineFixture | undefined
  let proxy: FaultProxy | undefined
  afterEach(async () => {
    await proxy?.close()
    await f?.close()
    proxy = undefined
    f = undefined
  })

  it('50 concurrent jobs on one wallet, every third eth_sendRawTransaction failing: all land once', async () => {
    f = await startEngineFixture({
      // A bump after 10 s frees a transaction anvil's txpool parked (see tx-engine.test.ts).
      chain: { rebroadcastMs: 300, stuckAfterMs: 10_000 },
      engineUrl: async (anvil) => {
        proxy = await startFaultProxy({ target: anvil.rpcUrl, seed: 3 })
        // Alternate the two bad cases: never reached the node, and reached it but the answer was lost.
        proxy.addRule({
          method: 'eth_sendRawTransaction',
          every: 6,
          fault: { kind: 'http', status: 502 },
          phase: 'after',
        })
        proxy.addRule({
          method: 'eth_sendRawTransaction',
          every: 3,
          fault: { kind: 'rpc-error', code: -32603, message: 'injected: internal error' },
        })
        return proxy.url
      },
    })
    const fx = f
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fx.engine.send(
          { chainId: fx.anvil.chainId, to: randomAddress(), value: BigInt(i + 1) },
          { runId: `c50-${i}`, wallet: fx.wallet },
        ),
      ),
    )
    expect(Object.values(proxy!.injected()).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(16)
    const onChainNonce = await fx.client.getTransactionCount({ address: fx.wallet })
    const mined = await minedTxsFrom(fx.client, fx.wallet)
    expect(mined).toHaveLength(50)
    expect(onChainNonce).toBe(50)
    expect(new Set(results.map((r) => r.hash))).toEqual(new Set(mined.map((m) => m.hash)))
  })

  it('a pending nonce read that is stale by the time it answers never hands out a nonce already in flight', async () => {
    let unblock = () => {}
    f = await startEngineFixture({
      chain: { rebroadcastMs: 1_000, pollMs: 250 },
      engineUrl: async (anvil) => {
        proxy = await startFaultProxy({ target: anvil.rpcUrl })
        // No broadcast reaches the node until unblocked, so the chain's pending nonce stays 0 meanwhile.
        unblock = proxy.addRule({ method: 'eth_sendRawTransaction', fault: { kind: 'rpc-error', code: -32603 } })
        // Every nonce read answers 3 s late, with the count the node had when it was asked.
        proxy.addRule({ method: 'eth_getTransactionCount', fault: { kind: 'delay', ms: 3_000 }, phase: 'after' })
        return proxy.url
      },
    })
    const fx = f
    const send = (runId: string) =>
      fx.engine.send({ chainId: fx.anvil.chainId, to: randomAddress(), value: 1n }, { runId, wallet: fx.wallet })
    const a = send('stale-a')
    const journaled = fx.db.prepare("SELECT COUNT(*) AS n FROM tx_intents WHERE run_id = 'stale-a'")
    while ((journaled.get() as { n: number }).n === 0) await new Promise((r) => setTimeout(r, 5))
    // B's lane batch asks for the pending nonce while A is open and off the chain (0); A is then re-sent,
    // mined and confirmed before that answer arrives.
    const b = send('stale-b')
    await new Promise((r) => setTimeout(r, 1_000))
    unblock()
    const [ra, rb] = await Promise.all([a, b])
    expect([ra.nonce, rb.nonce].sort()).toEqual([0, 1])
    const mined = await minedTxsFrom(fx.client, fx.wallet)
    expect(mined.map((m) => m.hash).sort()).toEqual([ra.hash, rb.hash].sort())
  })

  it('RPC chaos (30% errors, 5% hangs, 5% stale heights): every job ends succeeded or failed with a reason', async () => {
    f = await startEngineFixture({
      chain: { rebroadcastMs: 300, pollMs: 40 },
      // Short client timeout so hung requests become timeouts instead of stalling the test.
      clientTimeoutMs: 700,
      engineUrl: async (anvil) => {
        proxy = await startFaultProxy({ target: anvil.rpcUrl, seed: 7 })
        return proxy.url
      },
    })
    const fx = f
    const engine = fx.engine
    proxy!.setChaos({ errorRate: 0.3, hangRate: 0.05, staleRate: 0.05 })
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        try {
          const r = await engine.send(
            { chainId: fx.anvil.chainId, to: randomAddress(), value: BigInt(i + 1) },
            { runId: `chaos-${i}`, wallet: fx.wallet },
          )
          return { ok: true as const, hash: r.hash }
        } catch (err) {
          return { ok: false as const, err }
        }
      }),
    )
    proxy!.setChaos(undefined)
    for (const o of outcomes) {
      if (!o.ok) {
        expect(o.err).toBeInstanceOf(AppError)
        expect((o.err as AppError).code).toMatch(/^[A-Z_]+$/)
        expect((o.err as AppError).message.length).toBeGreaterThan(10)
      }
    }
    const succeeded = outcomes.filter((o) => o.ok)
    expect(succeeded.length).toBeGreaterThan(0)
    // No double send: every mined tx is a succeeded job's, or an intent still open that a reconcile will finish.
    await engine.reconcileOpenIntents()
    const mined = await minedTxsFrom(fx.client, fx.wallet)
    const nonces = mined.map((m) => m.nonce).sort((a, b) => a - b)
    expect(nonces).toEqual(nonces.map((_, i) => i))
    const journaledConfirmed = fx.db
      .prepare("SELECT COUNT(*) AS n FROM tx_intents WHERE status = 'confirmed'")
      .get() as { n: number }
    expect(mined).toHaveLength(journaledConfirmed.n)
    for (const o of succeeded) expect(mined.map((m) => m.hash)).toContain(o.hash)
  })
})
