// The engine's send path against a real anvil: exactly-once per (run, call), dry run, refusals before signing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeFunctionData, parseEther } from 'viem'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { ANVIL_TEST_KEYS } from '../../src/devnet/anvil.ts'
import { createTxEngine } from '../../src/chain/tx-engine.ts'
import type { LaneOwnership } from '../../src/chain/intent-types.ts'
import {
  minedTxsFrom,
  randomAddress,
  recordingPolicy,
  startEngineFixture,
  TARGET,
  testClient,
  type EngineFixture,
} from './engine-fixture.ts'

describe('tx engine send path', () => {
  let f: EngineFixture
  // anvil's txpool can park a transaction that arrives while its predecessor is being mined (it stays "queued"
  // at the chain's nonce and every rebroadcast is "already known"); the engine's way out is the fee bump of a
  // stuck transaction, so the pipelining tests bump after 10 s instead of the default minute.
  beforeAll(async () => {
    f = await startEngineFixture({ chain: { stuckAfterMs: 10_000 } })
  })
  afterAll(async () => {
    await f?.close()
  })
  /**
   * Another engine on the fixture's journal and anvil, with these signers (and lane leases, as in a cluster);
   * `alsoChainId` configures a second chain id on the same node.
   */
  const engineOf = (signers: PrivateKeyAccount[], lanes?: LaneOwnership, alsoChainId?: number) =>
    createTxEngine({
      lanes,
      db: f.db,
      logger: f.logger,
      signers,
      policy: recordingPolicy(),
      chains: [f.anvil.chainId, ...(alsoChainId ? [alsoChainId] : [])].map((chainId) => ({
        chainId,
        client: testClient(f.anvil.rpcUrl, chainId),
        fees: { maxFeePerGas: 100_000_000_000n },
        pollMs: 30,
      })),
    })

  it('a call another lane holder journals while this send waits for the lane is found after the wait, not signed again', async () => {
    // In a cluster, an instance that lost this run's lease may still hold the wallet's lane and send the same call.
    let asked!: () => void
    const waiting = new Promise<void>((r) => (asked = r))
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const waiter = engineOf([privateKeyToAccount(ANVIL_TEST_KEYS[0])], {
      acquire: async () => {
        asked()
        await gate
        return true
      },
    })
    const call = { chainId: f.anvil.chainId, to: randomAddress(), value: 4321n }
    const late = waiter.send(call, { runId: 'run-lost-lease', wallet: f.wallet })
    await waiting
    const first = await f.engine.send(call, { runId: 'run-lost-lease', wallet: f.wallet })
    release()
    expect(await late).toMatchObject({ resumed: true, hash: first.hash, nonce: first.nonce })
    const sent = (await minedTxsFrom(f.client, f.wallet)).filter((t) => t.to?.toLowerCase() === call.to.toLowerCase())
    expect(sent).toHaveLength(1)
  })

  it('sends once, journals signed bytes before broadcast, and a retried run finds its intent instead of re-sending', async () => {
    const to = randomAddress()
    const res = await f.engine.send(
      { chainId: f.anvil.chainId, to, value: 1234n },
      { runId: 'run-a', wallet: f.wallet },
    )
    expect(res.resumed).toBe(false)
    expect(res.receipt.status).toBe('success')
    const row = f.engine.journal.get(res.intentId)!
    expect(row.status).toBe('confirmed')
    expect(row.rawTx).toMatch(/^0x02/)
    expect(row.hash).toBe(res.hash)
    expect(row.broadcastCount).toBeGreaterThanOrEqual(1)
    const again = await f.engine.send(
      { chainId: f.anvil.chainId, to, value: 1234n },
      { runId: 'run-a', wallet: f.wallet },
    )
    expect(again.resumed).toBe(true)
    expect(again.hash).toBe(res.hash)
    expect(await f.client.getBalance({ address: to })).toBe(1234n)
    await expect(
      f.engine.send({ chainId: f.anvil.chainId, to, value: 999n }, { runId: 'run-a', wallet: f.wallet }),
    ).rejects.toMatchObject({ code: 'TX_INTENT_MISMATCH' })
  })

  it('a retried run that changes its chain, recipient, data or wallet is refused before anything is signed', async () => {
    const to = randomAddress()
    const sent = await f.engine.send({ chainId: f.anvil.chainId, to, value: 7n }, { runId: 'run-m', wallet: f.wallet })
    const other = privateKeyToAccount(ANVIL_TEST_KEYS[4])
    // The same journal, a second signer and a second chain: only the wallet or the chain differs.
    const twoSigners = engineOf([privateKeyToAccount(ANVIL_TEST_KEYS[0]), other], undefined, 424_242)
    const before = await f.client.getTransactionCount({ address: f.wallet })
    const changed = [
      f.engine.send({ chainId: f.anvil.chainId, to: randomAddress(), value: 7n }, { runId: 'run-m', wallet: f.wallet }),
      f.engine.send({ chainId: f.anvil.chainId, to, value: 7n, data: '0x01' }, { runId: 'run-m', wallet: f.wallet }),
      twoSigners.send({ chainId: f.anvil.chainId, to, value: 7n }, { runId: 'run-m', wallet: other.address }),
      twoSigners.send({ chainId: 424_242, to, value: 7n }, { runId: 'run-m', wallet: f.wallet }),
    ]
    for (const attempt of changed) await expect(attempt).rejects.toMatchObject({ code: 'TX_INTENT_MISMATCH' })
    expect(f.engine.journal.byRun('run-m').map((r) => r.id)).toEqual([sent.intentId])
    expect(await f.client.getTransactionCount({ address: f.wallet })).toBe(before)
    expect(await f.client.getTransactionCount({ address: other.address })).toBe(0)
    // Unchanged, it is the same intent, resumed.
    const same = await twoSigners.send(
      { chainId: f.anvil.chainId, to, value: 7n },
      { runId: 'run-m', wallet: f.wallet },
    )
    expect(same).toMatchObject({ resumed: true, hash: sent.hash })
  })

  it('refuses a wallet without a signer, and a call that spends two tokens, with nothing journaled or sent', async () => {
    const before = await f.client.getTransactionCount({ address: f.wallet })
    await expect(
      f.engine.send(
        { chainId: f.anvil.chainId, to: randomAddress(), value: 1n },
        { runId: 'nk', wallet: randomAddress() },
      ),
    ).rejects.toMatchObject({ code: 'TX_UNKNOWN_SIGNER' })
    const tokenSpends = [
      { token: randomAddress(), amount: 1n },
      { token: randomAddress(), amount: 2n },
    ]
    await expect(
      f.engine.send(
        { chainId: f.anvil.chainId, to: randomAddress(), tokenSpends },
        { runId: 'two-tokens', wallet: f.wallet },
      ),
    ).rejects.toMatchObject({ code: 'TX_MULTI_TOKEN_SPEND' })
    expect([...f.engine.journal.byRun('nk'), ...f.engine.journal.byRun('two-tokens')]).toHaveLength(0)
    expect(await f.client.getTransactionCount({ address: f.wallet })).toBe(before)
  })

  it('pipelines 40 concurrent sends from one wallet with no gap and one tx per intent', async () => {
    const start = await f.client.getTransactionCount({ address: f.wallet })
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        f.engine.send(
          { chainId: f.anvil.chainId, to: randomAddress(), value: BigInt(i + 1) },
          { runId: `conc-${i}`, wallet: f.wallet },
        ),
      ),
    )
    const nonces = results.map((r) => r.nonce).sort((a, b) => a - b)
    expect(nonces).toEqual(Array.from({ length: 40 }, (_, i) => start + i))
    expect(await f.client.getTransactionCount({ address: f.wallet })).toBe(start + 40)
    expect(new Set(results.map((r) => r.hash)).size).toBe(40)
  })

  it('dry run stops after simulation and records what would have been sent', async () => {
    const before = await f.client.getTransactionCount({ address: f.wallet })
    const res = await f.engine.send(
      { chainId: f.anvil.chainId, to: randomAddress(), value: 5n },
      { runId: 'dry-1', wallet: f.wallet, dryRun: true },
    )
    expect(res.dryRun).toBe(true)
    expect(res.would.gasLimit).toBe(21_000n)
    const row = f.engine.journal.get(res.intentId)!
    expect(row).toMatchObject({ status: 'prepared', dryRun: true, rawTx: null, hash: null, nonce: null })
    expect(await f.client.getTransactionCount({ address: f.wallet })).toBe(before)
  })

  it('refuses a call that reverts in simulation, with the decoded reason, before signing', async () => {
    const target = await f.deployTarget()
    const before = await f.client.getTransactionCount({ address: f.wallet })
    const data = encodeFunctionData({ abi: TARGET.abi, functionName: 'boom' })
    const err = await f.engine
      .send({ chainId: f.anvil.chainId, to: target, data }, { runId: 'boom-1', wallet: f.wallet })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'EXECUTION_REVERTED', retryable: false, reason: 'boom: not allowed' })
    expect(f.engine.journal.byRun('boom-1')).toHaveLength(0)
    expect(await f.client.getTransactionCount({ address: f.wallet })).toBe(before)
    const ok = await f.engine.send(
      { chainId: f.anvil.chainId, to: target, data: encodeFunctionData({ abi: TARGET.abi, functionName: 'hit' }) },
      { runId: 'hit-1', wallet: f.wallet },
    )
    expect(ok.receipt.status).toBe('success')
  })

  it('an underfunded wallet fails before signing and uses no nonce', async () => {
    const poor = privateKeyToAccount(ANVIL_TEST_KEYS[2])
    await f.rpc('anvil_setBalance', [poor.address, '0x5af3107a4000']) // 0.0001 ETH
    const engine = engineOf([poor])
    const err = await engine
      .send(
        { chainId: f.anvil.chainId, to: randomAddress(), value: parseEther('1') },
        { runId: 'poor-1', wallet: poor.address },
      )
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'INSUFFICIENT_FUNDS', retryable: false })
    expect(engine.journal.byRun('poor-1')).toHaveLength(0)
    expect(await f.client.getTransactionCount({ address: poor.address })).toBe(0)
    // Still usable for what it can afford: the nonce it gets is 0 (none was burnt).
    const ok = await engine.send(
      { chainId: f.anvil.chainId, to: randomAddress(), value: 1n },
      { runId: 'poor-2', wallet: poor.address },
    )
    expect(ok.nonce).toBe(0)
  })

  it('refuses to sign when the RPC reports another chain id', async () => {
    const account = privateKeyToAccount(ANVIL_TEST_KEYS[3])
    const engine = createTxEngine({
      db: f.db,
      logger: f.logger,
      signers: [account],
      policy: recordingPolicy(),
      chains: [
        { chainId: 10, client: testClient(f.anvil.rpcUrl, 10), fees: { maxFeePerGas: 100_000_000_000n }, pollMs: 30 },
      ],
    })
    const err = await engine
      .send({ chainId: 10, to: randomAddress(), value: 1n }, { runId: 'wrong-chain', wallet: account.address })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'CHAIN_ID_MISMATCH', retryable: false })
    expect(engine.journal.byRun('wrong-chain')).toHaveLength(0)
    expect(await f.client.getTransactionCount({ address: account.address })).toBe(0)
  })

  it('on-chain history matches the journal: one mined tx per intent', async () => {
    const mined = await minedTxsFrom(f.client, f.wallet)
    const journaled = f.db
      .prepare("SELECT tx_hash FROM tx_intents WHERE status = 'confirmed' AND from_addr = ?")
      .all(f.wallet.toLowerCase())
      .map((r) => (r as { tx_hash: string }).tx_hash)
    expect(mined.map((m) => m.hash).sort()).toEqual([...journaled].sort())
  })
})
