// RiskManager on a real anvil and SQLite file: gas spike delays a swap, feed swings thin a job, failures trip the breaker.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, createWalletClient, http, type Abi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS, anvilRpc, startAnvil, type AnvilInstance } from '../../src/devnet/anvil.ts'
import { decideDispatch, type DueRun, type DynamicPolicyConfig } from '../../src/bot/dynamic-policy.ts'
import { createCircuitBreaker } from '../../src/risk/circuit-breaker.ts'
import { createGasOracle } from '../../src/risk/gas-oracle.ts'
import { createChainlinkPriceSource } from '../../src/risk/price-source.ts'
import { createRiskManager } from '../../src/risk/risk-manager.ts'
import { createVolatilityClassifier } from '../../src/risk/volatility.ts'
import { openDatabase, type Db } from '../../src/store/database.ts'
import fixtures from './fixtures/fixtures.json' with { type: 'json' }

const G = 1_000_000_000n
const account = privateKeyToAccount(ANVIL_TEST_KEYS[0])
const POLICY: DynamicPolicyConfig = {
  maxGasPrice: 50n * G,
  criticalMaxGasPrice: 100n * G,
  hardMaxGasPrice: 150n * G,
  maxDelayMs: 3_600_000,
  recheckMs: 30_000,
  deadline: { lowPercentile: 10, highPercentile: 50, shape: 2, safetyMs: 300_000 },
  thinning: { mode: 'stretch', factor: 2 },
}

describe('risk manager on anvil', () => {
  let anvil: AnvilInstance
  let dir: string
  const dbs: Db[] = []
  beforeAll(async () => {
    anvil = await startAnvil({ baseFee: 10n * G })
    dir = mkdtempSync(join(tmpdir(), 'risk-'))
  })
  afterAll(async () => {
    for (const db of dbs) db.close()
    await anvil?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('delays a swap on a base-fee spike, thins a recurring job on feed swings, and halts on failures across a restart', async () => {
    const pub = createPublicClient({ transport: http(anvil.rpcUrl), cacheTime: 0, pollingInterval: 50 })
    const wallet = createWalletClient({ account, transport: http(anvil.rpcUrl) })
    const deploy = async (name: 'TestFeed' | 'TestToken', args: unknown[]): Promise<Address> => {
      const hash = await wallet.deployContract({
        abi: fixtures[name].abi as Abi,
        bytecode: fixtures[name].bytecode as Hex,
        args,
        chain: null,
      })
      return (await pub.waitForTransactionReceipt({ hash })).contractAddress!
    }
    const feed = await deploy('TestFeed', [8])
    const token = await deploy('TestToken', ['Wrapped Ether', 'WETH', 18])
    let clock = Number((await pub.getBlock()).timestamp) * 1000
    const setPrice = async (usd: number) => {
      const hash = await wallet.writeContract({
        address: feed,
        abi: fixtures.TestFeed.abi as Abi,
        functionName: 'updateAnswerAt',
        args: [BigInt(Math.round(usd * 1e8)), BigInt(Math.floor(clock / 1000))],
        chain: null,
      })
      await pub.waitForTransactionReceipt({ hash })
    }
    const path = join(dir, 'state.db')
    const open = () => {
      const db = openDatabase({ path })
      dbs.push(db)
      return db
    }
    const breakerConfig = {
      riskScoreThreshold: 90,
      maxConsecutiveFailures: 3,
      defaultDailyGasBudgetWei: 10n ** 18n,
      maxDrawdownBps: 3000,
      circuitBreakerTimeoutMs: 600_000,
    }
    const makeManager = () =>
      createRiskManager({
        gasOracles: [
          createGasOracle({
            config: { chainId: 31337, windowBlocks: 20, maxBlockAgeMs: Infinity },
            client: pub,
            now: () => clock,
          }),
        ],
        priceSources: [createChainlinkPriceSource('eth-usd', pub, feed, { maxAgeSec: 600, now: () => clock })],
        volatility: createVolatilityClassifier({
          windowBars: 4,
          barSeconds: 60,
          annualize: false,
          thresholds: { mediumEnter: 0.01, mediumExit: 0.005, highEnter: 0.03, highExit: 0.02 },
        }),
        breaker: createCircuitBreaker({ db: open(), config: breakerConfig, now: () => clock }),
        now: () => clock,
      })
    let manager = makeManager()
    const tick = async (usd: number) => {
      clock += 60_000
      await setPrice(usd)
      return manager.assessCurrentRisk()
    }
    for (let i = 0; i < 5; i++) await tick(2000 + i) // calm warm-up

    // 1. gas spike: the swap is delayed, then runs (a real transaction) once gas falls
    const swap: DueRun = { jobId: 'swap-1', chainId: 31337, dueAt: clock, gasSensitive: true }
    await anvilRpc(anvil.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${(120n * G).toString(16)}`])
    await anvilRpc(anvil.rpcUrl, 'evm_mine')
    let risk = await tick(2005)
    const spiked = decideDispatch(swap, { now: clock, gas: risk.gas }, risk, POLICY)
    expect(spiked).toMatchObject({ action: 'delay', code: 'gas_above_cap' })
    expect(risk.gas[31337]!.baseFee).toBeGreaterThan(50n * G)
    await anvilRpc(anvil.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${(8n * G).toString(16)}`])
    await anvilRpc(anvil.rpcUrl, 'evm_mine')
    risk = await tick(2006)
    const calmGas = decideDispatch(swap, { now: clock, gas: risk.gas }, risk, POLICY)
    expect(calmGas).toMatchObject({ action: 'run' })
    const sent = await wallet.writeContract({
      address: token,
      abi: fixtures.TestToken.abi as Abi,
      functionName: 'mint',
      args: [account.address, 1n],
      maxFeePerGas: POLICY.maxGasPrice,
      maxPriorityFeePerGas: G,
      chain: null,
    })
    expect((await pub.waitForTransactionReceipt({ hash: sent })).status).toBe('success')

    // 2. price feed swings -> volatility high -> the recurring job is thinned; calm prices restore it
    const claim = (occurrence: number): DueRun => ({
      jobId: 'claim',
      chainId: 31337,
      dueAt: clock,
      gasSensitive: true,
      recurring: { intervalMs: 60_000, occurrence },
    })
    for (const p of [2100, 1950, 2150, 1900]) risk = await tick(p)
    expect(risk.volatility.level).toBe('high')
    expect(risk.reasons.some((r) => r.startsWith('volatility high'))).toBe(true)
    expect(decideDispatch(claim(1), { now: clock, gas: risk.gas }, risk, POLICY)).toMatchObject({
      action: 'skip',
      code: 'thinned',
    })
    expect(decideDispatch(claim(2), { now: clock, gas: risk.gas }, risk, POLICY).action).toBe('run')
    for (const p of [1901, 1902, 1901, 1902, 1901]) risk = await tick(p)
    expect(risk.volatility.level).toBe('low')
    expect(decideDispatch(claim(3), { now: clock, gas: risk.gas }, risk, POLICY).action).toBe('run')

    // 3. three failed jobs trip the breaker: dispatch halts, and a restarted process still sees it open
    const breaker = createCircuitBreaker({ db: open(), config: breakerConfig, now: () => clock })
    for (let i = 0; i < 3; i++) breaker.recordJobResult(false)
    risk = await tick(1901)
    expect(risk.circuitBreaker.state).toBe('open')
    expect(decideDispatch(swap, { now: clock, gas: risk.gas }, risk, POLICY)).toMatchObject({
      action: 'hold',
      code: 'breaker_open',
    })
    manager = makeManager() // restart: new manager, breaker and connection on the same file
    risk = await tick(1902)
    expect(risk.circuitBreaker).toMatchObject({ state: 'open' })
    clock += 600_000
    risk = await tick(1901)
    expect(risk.circuitBreaker.state).toBe('closed')
    expect(decideDispatch(swap, { now: clock, gas: risk.gas }, risk, POLICY).action).toBe('run')
    expect(breaker.events().map((e) => e.kind)).toEqual(['trip', 'reset'])

    // 4. a stale feed is a stale oracle: the breaker trips with that cause
    clock += 700_000
    const stale = await manager.assessCurrentRisk()
    expect(stale.prices[0]).toMatchObject({ ok: false, status: 'stale' })
    expect(stale.circuitBreaker.causes.map((c) => c.kind)).toEqual(['stale_oracle'])
    expect(stale.riskScore).toBeGreaterThanOrEqual(40)
  })
})
