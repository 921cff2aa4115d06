// The devnet's Aave V3 market: linked from the published artifacts, wired through the provider, priced by the devnet feeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeFunctionData, parseAbi, parseEther, type Hex } from 'viem'
import { aaveArtifact, aaveLibrariesOf } from '../../src/devnet/devnet-aave-artifacts.ts'
import { ownArtifact, uniswapArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { createDefaultRegistry } from '../../protocols/index.ts'
import { prepareAdapterCalls } from '../../protocols/registry.ts'
import { aaveV3DataProviderAbi, aaveV3OracleAbi } from '../../protocols/aave-v3/abi.ts'
import { createEngineExecutor, createWalletExecutor } from './executor.ts'
import { devnetContext, erc20BalanceOf } from './harness.ts'

let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false, aaveV3: true })
})
afterAll(async () => {
  await devnet?.stop()
})

const providerAbi = parseAbi([
  'function getPool() view returns (address)',
  'function getPoolConfigurator() view returns (address)',
  'function getPriceOracle() view returns (address)',
  'function getPoolDataProvider() view returns (address)',
  'function getACLManager() view returns (address)',
])

describe('devnet Aave V3 market', () => {
  it('links every library placeholder and refuses to build an unlinked Pool', () => {
    expect(aaveLibrariesOf('Pool').sort()).toEqual([
      'BorrowLogic',
      'BridgeLogic',
      'EModeLogic',
      'FlashLoanLogic',
      'LiquidationLogic',
      'PoolLogic',
      'SupplyLogic',
    ])
    expect(aaveLibrariesOf('FlashLoanLogic')).toEqual(['BorrowLogic'])
    expect(() => aaveArtifact('Pool', { BorrowLogic: '0x0000000000000000000000000000000000000001' })).toThrow(
      /needs library BridgeLogic/,
    )
    const lib = '0x00000000000000000000000000000000000000aa'
    const libs = Object.fromEntries(aaveLibrariesOf('Pool').map((l) => [l, lib] as const))
    const linked = aaveArtifact('Pool', libs).bytecode
    expect(linked).not.toContain('__$')
    expect(linked.split(lib.slice(2)).length - 1).toBeGreaterThanOrEqual(7)
  })

  it('is wired through the PoolAddressesProvider as the addresses file says', async () => {
    const m = devnet.addresses.l1.aaveV3!
    const read = (
      functionName: 'getPool' | 'getPoolConfigurator' | 'getPriceOracle' | 'getPoolDataProvider' | 'getACLManager',
    ) => devnet.l1.client.readContract({ address: m.aaveV3PoolAddressesProvider, abi: providerAbi, functionName })
    expect(await read('getPool')).toBe(m.aaveV3Pool)
    expect(await read('getPoolConfigurator')).toBe(m.aaveV3PoolConfigurator)
    expect(await read('getPriceOracle')).toBe(m.aaveV3Oracle)
    expect(await read('getPoolDataProvider')).toBe(m.aaveV3PoolDataProvider)
    expect(await read('getACLManager')).toBe(m.aaveV3AclManager)
    const { tokens, weth } = devnet.addresses.l1
    for (const [symbol, asset] of [
      ['WETH', weth],
      ['USDC', tokens.USDC],
    ] as const) {
      const [aToken, stable, variable] = await devnet.l1.client.readContract({
        address: m.aaveV3PoolDataProvider,
        abi: aaveV3DataProviderAbi,
        functionName: 'getReserveTokensAddresses',
        args: [asset],
      })
      expect({ aToken, stableDebtToken: stable, variableDebtToken: variable }).toEqual(m.reserves[symbol])
      const cfg = await devnet.l1.client.readContract({
        address: m.aaveV3PoolDataProvider,
        abi: aaveV3DataProviderAbi,
        functionName: 'getReserveConfigurationData',
        args: [asset],
      })
      // [decimals, ltv, liquidationThreshold, liquidationBonus, reserveFactor, collateral, borrowing, stable, active, frozen]
      expect(cfg).toEqual(
        symbol === 'WETH'
          ? [18n, 8_000n, 8_250n, 10_500n, 1_000n, true, true, false, true, false]
          : [6n, 7_700n, 8_000n, 10_450n, 1_000n, true, true, false, true, false],
      )
    }
  })

  it('prices assets from the devnet feeds, and a feed update changes what a borrow may take', async () => {
    const m = devnet.addresses.l1.aaveV3!
    const price = (asset: `0x${string}`) =>
      devnet.l1.client.readContract({
        address: m.aaveV3Oracle,
        abi: aaveV3OracleAbi,
        functionName: 'getAssetPrice',
        args: [asset],
      })
    expect(await price(devnet.addresses.l1.weth)).toBe(3_000n * 10n ** 8n)
    expect(await price(devnet.addresses.l1.tokens.USDC)).toBe(10n ** 8n)
    // A wallet with 1 WETH of collateral may borrow 1,500 USDC at 3,000 (HF 1.65) but not at 2,500 (HF 1.375).
    const who = devnet.accounts[2]!
    const exec = createWalletExecutor(devnet, who.privateKey)
    await exec.executeCalls([
      {
        chainId: devnet.l1.chainId,
        to: devnet.addresses.l1.weth,
        value: parseEther('1'),
        label: 'wrap',
        data: encodeFunctionData({ abi: uniswapArtifact('WETH9').abi, functionName: 'deposit' }) as Hex,
      },
    ])
    const aave = createDefaultRegistry().get('aave-v3')
    const L1 = devnet.l1.chainId
    await exec.executeCalls(
      (
        await prepareAdapterCalls(aave, devnetContext(devnet, who.address), {
          chainId: L1,
          action: 'supply',
          asset: 'WETH',
          amount: '1',
        })
      ).calls,
    )
    const borrow = { chainId: L1, action: 'borrow', asset: 'USDC', amount: '1500', minHealthFactor: '1.5' }
    await expect(prepareAdapterCalls(aave, devnetContext(devnet, who.address), borrow)).resolves.toBeDefined()
    const owner = createWalletExecutor(devnet, devnet.accounts[0]!.privateKey)
    await owner.executeCalls([
      {
        chainId: L1,
        to: devnet.addresses.l1.priceFeeds.ETH_USD,
        value: 0n,
        label: 'ETH at 2500',
        data: encodeFunctionData({
          abi: ownArtifact('PriceFeed').abi,
          functionName: 'updateAnswer',
          args: [2_500n * 10n ** 8n],
        }) as Hex,
      },
    ])
    expect(await price(devnet.addresses.l1.weth)).toBe(2_500n * 10n ** 8n)
    await expect(prepareAdapterCalls(aave, devnetContext(devnet, who.address), borrow)).rejects.toThrow(
      /to 1\.37\d{2}, below the limit 1\.5000/,
    )
  })

  it('is on the L2 too, beside Uniswap V3: an ETH->USDC swap there, then a USDC supply, through the engine', async () => {
    const l2 = devnet.addresses.l2
    const m = l2.aaveV3!
    expect(m.aaveV3Pool).not.toBe(devnet.addresses.l1.aaveV3!.aaveV3Pool)
    expect(devnet.book[devnet.l2.chainId]!.contracts).toMatchObject({
      swapRouter02: l2.uniswapV3!.swapRouter02,
      quoterV2: l2.uniswapV3!.quoterV2,
      aaveV3Pool: m.aaveV3Pool,
      aaveV3PoolDataProvider: m.aaveV3PoolDataProvider,
    })
    const who = devnet.accounts[3]!
    const ctx = devnetContext(devnet, who.address)
    const registry = createDefaultRegistry()
    const L2 = devnet.l2.chainId
    const exec = createEngineExecutor(devnet, who.privateKey)
    const swap = { chainId: L2, tokenIn: 'ETH', tokenOut: 'USDC', amountIn: '1', slippageBps: 50 }
    await exec.executeCalls((await prepareAdapterCalls(registry.get('uniswap-v3'), ctx, swap)).calls)
    const usdc = await erc20BalanceOf(devnet.l2, l2.tokens.USDC, who.address)
    // 1 ETH at the seeded 3000 USDC, less the 0.05% fee and a little price impact.
    expect(usdc).toBeGreaterThan(2_980_000_000n)
    expect(usdc).toBeLessThan(3_000_000_000n)
    const supply = { chainId: L2, action: 'supply', asset: 'USDC', amount: '1000' }
    await exec.executeCalls((await prepareAdapterCalls(registry.get('aave-v3'), ctx, supply)).calls)
    expect(await erc20BalanceOf(devnet.l2, m.reserves.USDC.aToken, who.address)).toBe(1_000_000_000n)
    expect(await erc20BalanceOf(devnet.l2, l2.tokens.USDC, who.address)).toBe(usdc - 1_000_000_000n)
    // The L2 oracle reads the L2 feeds.
    const price = await devnet.l2.client.readContract({
      address: m.aaveV3Oracle,
      abi: aaveV3OracleAbi,
      functionName: 'getAssetPrice',
      args: [l2.weth],
    })
    expect(price).toBe(3_000n * 10n ** 8n)
  })
})
