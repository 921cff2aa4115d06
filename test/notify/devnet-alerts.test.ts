// Devnet scenario: a wallet drained below its floor by a real transfer and a breaker tripped by job failures
// each reach every channel exactly once, however often the watcher looks.
import { createPublicClient, createWalletClient, http, parseEther, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS, startAnvil, type AnvilInstance } from '../../src/devnet/anvil.ts'
import { createCircuitBreaker } from '../../src/risk/circuit-breaker.ts'
import { createNotifier, createWatcher } from '../../src/notify/index.ts'
import { startReceiver, type Receiver } from './receiver.ts'
import { channelEnv, notifyConfig, tempState } from './setup.ts'

let anvil: AnvilInstance
let rx: Receiver
beforeAll(async () => {
  ;[anvil, rx] = await Promise.all([startAnvil({ chainId: 31337 }), startReceiver()])
})
afterAll(async () => {
  await Promise.all([anvil?.stop(), rx?.close()])
})

it('sends one balance_low and one breaker_tripped message per channel', async () => {
  const st = tempState()
  try {
    const client = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), cacheTime: 0 }) as PublicClient
    const ops = privateKeyToAccount(ANVIL_TEST_KEYS[1])
    const sink = privateKeyToAccount(ANVIL_TEST_KEYS[2]).address
    const notifier = createNotifier({
      config: notifyConfig(rx, { balanceFloors: { 31337: '1' } }),
      db: st.db,
      env: channelEnv(rx),
      logger: st.logger,
    })
    const breaker = createCircuitBreaker({
      db: st.db,
      logger: st.logger,
      config: {
        riskScoreThreshold: 80,
        maxConsecutiveFailures: 3,
        defaultDailyGasBudgetWei: parseEther('1'),
        maxDrawdownBps: 2_000,
        circuitBreakerTimeoutMs: 3_600_000,
      },
    })
    const watcher = createWatcher({
      db: st.db,
      notifier,
      logger: st.logger,
      dailyCapShare: 0.8,
      txStuckAfterMs: 300_000,
      wallets: [{ name: 'ops', address: ops.address }],
      chains: [
        {
          chainId: 31337,
          name: 'devnet',
          getBalance: (address) => client.getBalance({ address }),
          floorWei: parseEther('1'),
        },
      ],
    })
    const look = async () => {
      await watcher.check()
      await notifier.sender.flush()
    }

    await look()
    expect(rx.requests).toHaveLength(0)

    // Drain the wallet with a real transfer, leaving 0.6 ETH (floor 1 ETH).
    const wallet = createWalletClient({ account: ops, chain: foundry, transport: http(anvil.rpcUrl) })
    const balance = await client.getBalance({ address: ops.address })
    const hash = await wallet.sendTransaction({ to: sink, value: balance - parseEther('0.6') })
    expect((await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })).status).toBe('success')
    // Three job failures in a row trip the breaker (as the runtime records each failed run).
    for (let i = 0; i < 3; i += 1) breaker.recordJobResult(false)
    expect(breaker.evaluate({ riskScore: 0, staleOracles: [] }).state).toBe('open')

    for (let i = 0; i < 3; i += 1) {
      await look()
      breaker.recordJobResult(false)
      breaker.evaluate({ riskScore: 0, staleOracles: [] })
      await wallet.sendTransaction({ to: sink, value: parseEther('0.01') })
    }
    await look()

    const perChannel = (prefix: string) =>
      rx.requests.filter((r) => r.path.startsWith(prefix)).map((r) => JSON.parse(r.body) as Record<string, unknown>)
    const hook = perChannel('/hook/')
    expect(hook.map((b) => b.kind).sort()).toEqual(['balance_low', 'breaker_tripped'])
    const low = hook.find((b) => b.kind === 'balance_low')!
    expect(low.title).toMatch(/^wallet ops on devnet has 0\.59\d{1,4} ETH, below its floor$/)
    expect(low.action).toMatch(/^send at least 0\.40\d{1,4} ETH to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8/)
    expect(hook.find((b) => b.kind === 'breaker_tripped')!.severity).toBe('critical')
    for (const [prefix, field] of [
      ['/bot', 'text'],
      ['/api/webhooks/', 'content'],
      ['/services/', 'text'],
    ] as const) {
      const texts = perChannel(prefix).map((b) => b[field] as string)
      expect(texts).toHaveLength(2)
      expect(texts.filter((t) => t.includes('below its floor'))).toHaveLength(1)
      expect(texts.filter((t) => t.includes('circuit breaker tripped (consecutive_failures)'))).toHaveLength(1)
    }
    expect(rx.requests).toHaveLength(8)
  } finally {
    st.cleanup()
  }
}, 60_000)
