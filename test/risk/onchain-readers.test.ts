// Price feed and V2 pool readers, and rebalancing from positions read on chain, against a real anvil.
import { createRequire } from 'node:module'
import { createPublicClient, createWalletClient, http, parseAbi, type Abi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS, startAnvil, type AnvilInstance } from '../../src/devnet/anvil.ts'
import { optimizePortfolio, parseProtocols } from '../../src/capital/allocator.ts'
import { createOnchainPositionReader } from '../../src/capital/position-reader.ts'
import { planRebalance, readPositions } from '../../src/capital/rebalance.ts'
import { PriceFeedError } from '../../src/risk/errors.ts'
import { createChainlinkPriceSource, readChainlinkFeed, readV2PoolPrice } from '../../src/risk/price-source.ts'
import fixtures from './fixtures/fixtures.json' with { type: 'json' }

const require = createRequire(import.meta.url)
const factoryArtifact = require('@uniswap/v2-core/build/UniswapV2Factory.json') as { abi: Abi; bytecode: string }
const E18 = 10n ** 18n
const account = privateKeyToAccount(ANVIL_TEST_KEYS[0])
const other = privateKeyToAccount(ANVIL_TEST_KEYS[1]).address

describe('on-chain readers', () => {
  let anvil: AnvilInstance
  let pub: ReturnType<typeof makeClients>['pub']
  let wallet: ReturnType<typeof makeClients>['wallet']
  function makeClients(url: string) {
    return {
      pub: createPublicClient({ transport: http(url), cacheTime: 0, pollingInterval: 50 }),
      wallet: createWalletClient({ account, transport: http(url) }),
    }
  }
  async function deploy(name: keyof typeof fixtures, args: unknown[]): Promise<Address> {
    const a = fixtures[name]
    const hash = await wallet.deployContract({ abi: a.abi as Abi, bytecode: a.bytecode as Hex, args, chain: null })
    const r = await pub.waitForTransactionReceipt({ hash })
    return r.contractAddress!
  }
  async function write(address: Address, abi: Abi, functionName: string, args: unknown[]) {
    const hash = await wallet.writeContract({ address, abi, functionName, args, chain: null })
    const r = await pub.waitForTransactionReceipt({ hash })
    expect(r.status).toBe('success')
  }
  const tokenAbi = fixtures.TestToken.abi as Abi
  const feedAbi = fixtures.TestFeed.abi as Abi

  beforeAll(async () => {
    anvil = await startAnvil()
    ;({ pub, wallet } = makeClients(anvil.rpcUrl))
  })
  afterAll(async () => {
    await anvil?.stop()
  })

  it('reads a Chainlink-style feed and rejects stale, carried-over, future and non-positive answers', async () => {
    const feed = await deploy('TestFeed', [8])
    const head = Number((await pub.getBlock()).timestamp)
    const now = () => (head + 10) * 1000
    await write(feed, feedAbi, 'updateAnswerAt', [2_000n * 10n ** 8n + 12_345_678n, BigInt(head)])
    const r = await readChainlinkFeed(pub, feed, { maxAgeSec: 3600, now })
    expect(r).toMatchObject({
      answer: 200_012_345_678n,
      decimals: 8,
      roundId: 1n,
      answeredInRound: 1n,
      updatedAt: head,
    })
    expect(r.price).toBeCloseTo(2000.12345678, 8)

    await expect(readChainlinkFeed(pub, feed, { maxAgeSec: 5, now })).rejects.toMatchObject({ code: 'PRICE_STALE' })
    await write(feed, feedAbi, 'updateAnswerAt', [1n, BigInt(head + 3600)])
    await expect(readChainlinkFeed(pub, feed, { maxAgeSec: 3600, now })).rejects.toThrow(/in the future/)
    await write(feed, feedAbi, 'setCarriedOver', [2_100n * 10n ** 8n, BigInt(head)])
    const carried = readChainlinkFeed(pub, feed, { maxAgeSec: 3600, now })
    await expect(carried).rejects.toBeInstanceOf(PriceFeedError)
    await expect(carried).rejects.toThrow(/carries an answer from round 2/)
    await write(feed, feedAbi, 'updateAnswerAt', [0n, BigInt(head)])
    await expect(readChainlinkFeed(pub, feed, { maxAgeSec: 3600, now })).rejects.toMatchObject({
      code: 'PRICE_INVALID',
      retryable: false,
    })
    const obs = await createChainlinkPriceSource('eth-usd', pub, feed, { maxAgeSec: 3600, now }).observe()
    expect(obs).toMatchObject({ ok: false, status: 'invalid', source: 'eth-usd' })
    const missing = await createChainlinkPriceSource('nowhere', pub, other, { maxAgeSec: 3600, now }).observe()
    expect(missing).toMatchObject({ ok: false, status: 'unavailable' })
  })

  it('prices a Uniswap V2 pair with either token order and different decimals', async () => {
    const weth = await deploy('TestToken', ['Wrapped Ether', 'WETH', 18])
    const usdc = await deploy('TestToken', ['USD Coin', 'USDC', 6])
    const fHash = await wallet.deployContract({
      abi: factoryArtifact.abi,
      bytecode: `0x${factoryArtifact.bytecode.replace(/^0x/, '')}`,
      args: [account.address],
      chain: null,
    })
    const factory = (await pub.waitForTransactionReceipt({ hash: fHash })).contractAddress!
    const factoryAbi = parseAbi([
      'function createPair(address,address) returns (address)',
      'function getPair(address,address) view returns (address)',
    ])
    await write(factory, factoryAbi as Abi, 'createPair', [weth, usdc])
    const pair = await pub.readContract({
      address: factory,
      abi: factoryAbi,
      functionName: 'getPair',
      args: [weth, usdc],
    })
    // 10 WETH against 25,000.5 USDC -> 2500.05 USDC per WETH
    await write(weth, tokenAbi, 'mint', [pair, 10n * E18])
    await write(usdc, tokenAbi, 'mint', [pair, 25_000_500_000n])
    await write(pair, parseAbi(['function mint(address) returns (uint256)']) as Abi, 'mint', [account.address])
    const p = await readV2PoolPrice(pub, pair, weth)
    expect(p).toMatchObject({
      reserveBase: 10n * E18,
      reserveQuote: 25_000_500_000n,
      baseDecimals: 18,
      quoteDecimals: 6,
    })
    expect(p.priceE18).toBe(2_500_050_000_000_000_000_000n)
    const inverse = await readV2PoolPrice(pub, pair, usdc)
    expect(inverse.priceE18).toBe(399_992_000_159_996n) // 1 / 2500.05, floored at 1e-18
    await expect(readV2PoolPrice(pub, pair, other)).rejects.toThrow(/is not in pair/)
  })

  it('reads ERC-20 and ERC-4626 positions on chain and plans only the moves past the thresholds', async () => {
    const weth = await deploy('TestToken', ['Wrapped Ether', 'WETH', 18])
    const vault = await deploy('TestVault', [weth])
    const owner = account.address
    await write(weth, tokenAbi, 'mint', [owner, 100n * E18])
    await write(weth, tokenAbi, 'approve', [vault, 30n * E18])
    await write(vault, fixtures.TestVault.abi as Abi, 'deposit', [30n * E18, owner])
    await write(weth, tokenAbi, 'mint', [vault, 3n * E18]) // yield: shares now worth 33 WETH
    const specs = parseProtocols([
      {
        id: 'vault_yield',
        chainId: 31337,
        asset: { symbol: 'WETH', decimals: 18 },
        expectedValueBps: 600,
        riskBps: 300,
      },
      { id: 'idle_weth', chainId: 31337, asset: { symbol: 'WETH', decimals: 18 }, expectedValueBps: 100, riskBps: 100 },
    ])
    const reader = createOnchainPositionReader(
      { 31337: pub },
      {
        vault_yield: { kind: 'erc4626', vault, owner },
        idle_weth: { kind: 'erc20', token: weth, owner },
      },
    )
    const positions = await readPositions(reader, specs)
    expect(positions).toEqual({ vault_yield: 33n * E18, idle_weth: 70n * E18 })
    const targets = optimizePortfolio(specs, { amount: 103n * E18, decimals: 18 }, { gasReserve: { 31337: 3n * E18 } })
    // scores 2 and 1 -> 6667 / 3333 bps of 100 WETH
    expect(targets.map((t) => [t.protocol, t.amount])).toEqual([
      ['vault_yield', (6_667n * E18) / 100n],
      ['idle_weth', (3_333n * E18) / 100n],
    ])
    const moves = planRebalance(targets, positions, specs, {
      capitalDecimals: 18,
      minTradeSize: E18,
      driftThresholdBps: 500,
    })
    expect(moves.map((m) => [m.protocol, m.action, m.amount])).toEqual([
      ['idle_weth', 'withdraw', (3_667n * E18) / 100n],
      ['vault_yield', 'deposit', (3_367n * E18) / 100n],
    ])
    await expect(createOnchainPositionReader({}, {}).read(specs[0]!)).rejects.toMatchObject({ code: 'POSITION_SOURCE' })
  })
})
