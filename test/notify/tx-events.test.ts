// A real stuck transaction on anvil (mining held back): the engine's fee bump reaches the watcher as tx_stuck
// and tx_replaced, read from the journal the engine wrote.
import { afterEach, expect, it } from 'vitest'
import { createWatcher, type NotifyEvent } from '../../src/notify/index.ts'
import { randomAddress, startEngineFixture, type EngineFixture } from '../chain/engine-fixture.ts'

let f: EngineFixture | undefined
afterEach(async () => {
  await f?.close()
  f = undefined
})

it('reports a stuck transaction and its fee-bump replacement once each', async () => {
  f = await startEngineFixture({
    anvil: { automine: false },
    // The engine bumps well after the watcher's threshold, so a loaded machine still sees the stuck state first.
    chain: { stuckAfterMs: 4_000, maxBumps: 1, rebroadcastMs: 200 },
  })
  const fx = f
  const events: NotifyEvent[] = []
  const watcher = createWatcher({
    db: fx.db,
    dailyCapShare: 0.8,
    txStuckAfterMs: 200,
    chains: [],
    wallets: [{ name: 'ops', address: fx.wallet }],
    notifier: {
      emit: (e) => {
        events.push({ ...e, at: e.at ?? Date.now() })
        return {}
      },
    },
  })
  await watcher.check()
  const pending = fx.engine.send(
    { chainId: fx.anvil.chainId, to: randomAddress(), value: 9n },
    { runId: 'stuck-n', wallet: fx.wallet },
  )
  const end = Date.now() + 20_000
  while (!events.some((e) => e.kind === 'tx_replaced') && Date.now() < end) {
    await watcher.check()
    await new Promise((r) => setTimeout(r, 50))
  }
  await fx.rpc('evm_mine')
  await pending
  await watcher.check()
  await watcher.check()
  expect(events.filter((e) => e.kind === 'tx_stuck')).toHaveLength(1)
  expect(events.filter((e) => e.kind === 'tx_replaced')).toHaveLength(1)
  const stuck = events.find((e) => e.kind === 'tx_stuck')!
  expect(stuck.title).toMatch(/^transaction at nonce 0 not mined after \d+ min$/)
  expect(stuck.fields).toMatchObject({ run: 'stuck-n', chainId: fx.anvil.chainId })
  expect(stuck.fields.wallet).toContain('ops (')
  expect(events.find((e) => e.kind === 'tx_replaced')!.title).toBe('transaction at nonce 0 re-sent with a higher fee')
}, 60_000)
