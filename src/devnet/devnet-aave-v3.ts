// Deploys a real Aave V3 market (published @aave/core-v3 bytecode) for WETH and USDC onto a devnet chain.
import { getContractAddress, keccak256, parseEther, parseUnits, toHex, type Abi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { aaveArtifact, type AaveContract } from './devnet-aave-artifacts.ts'
import { LOGIC_LIBRARIES, oracleArgs, reserveInit, reserveRiskCalls, strategyArgs } from './aave-v3-reserves.ts'
import type { Artifact } from './devnet-artifacts.ts'

/** The part of the devnet's setup batch this deploy uses: queued deploys (address known at once) and calls. */
export interface SetupQueue {
  deploy(a: Artifact, args?: readonly unknown[]): Address
  call(to: Address, abi: Abi, functionName: string, args: readonly unknown[], value?: bigint): void
}

/** What the market is built from: the deployer, the two assets and the devnet's USD price feeds (8 decimals). */
export interface AaveV3DeployInput {
  deployer: Address
  weth: Address
  usdc: Address
  /** TestERC20 ABI: the deploy mints the USDC it seeds the market with. */
  tokenAbi: Abi
  /** WETH9 ABI: the deploy wraps the ETH it seeds the market with. */
  wethAbi: Abi
  feeds: { ETH_USD: Address; USDC_USD: Address }
  /** Mint the seed's USDC (default true); false where the deployer already holds it (L2 bridge tokens). */
  mintUsdc?: boolean
}

/** Addresses of the deployed market. */
export interface AaveV3Addresses {
  aaveV3PoolAddressesProvider: Address
  aaveV3Pool: Address
  aaveV3PoolConfigurator: Address
  aaveV3AclManager: Address
  aaveV3Oracle: Address
  aaveV3PoolDataProvider: Address
  /** Per asset symbol: its aToken and variable debt token. */
  reserves: Record<'WETH' | 'USDC', { aToken: Address; variableDebtToken: Address; stableDebtToken: Address }>
}

/** What the deployer supplies so the market has liquidity to borrow from. */
export const AAVE_SEED = { usdc: parseUnits('500000', 6), weth: parseEther('100') }
/**
 * Devnet-only key (keccak of a label) of the holder of the seed's aTokens: not one of anvil's accounts, so the
 * wallets the bot and tests use start with no Aave position of their own.
 */
export const AAVE_LIQUIDITY_KEY = keccak256(toHex('airdrops devnet aave liquidity')) as Hex
const liquidityHolder = privateKeyToAccount(AAVE_LIQUIDITY_KEY).address

/**
 * Queues the whole market on `s`, in dependency order; everything is mined in queue order, so later calls may
 * target contracts queued earlier. The Pool and PoolConfigurator proxies are created by the addresses provider
 * (its CREATE nonces 1 and 2) and the reserve tokens by the configurator proxy (three per reserve, in the order
 * aToken, stable debt, variable debt), so their addresses are known before anything is mined.
 */
export function queueAaveV3Market(s: SetupQueue, d: AaveV3DeployInput): AaveV3Addresses {
  const art = (n: AaveContract, libs?: Record<string, Address>) => aaveArtifact(n, libs)
  const provider = s.deploy(art('PoolAddressesProvider'), ['Airdrops devnet', d.deployer])
  const providerAbi = art('PoolAddressesProvider').abi
  s.call(provider, providerAbi, 'setACLAdmin', [d.deployer])
  const acl = s.deploy(art('ACLManager'), [provider])
  s.call(provider, providerAbi, 'setACLManager', [acl])
  s.call(acl, art('ACLManager').abi, 'addPoolAdmin', [d.deployer])

  const libs: Record<string, Address> = {}
  for (const lib of LOGIC_LIBRARIES) libs[lib] = s.deploy(art(lib))
  // FlashLoanLogic itself calls BorrowLogic, so it is linked before the Pool is.
  libs.FlashLoanLogic = s.deploy(art('FlashLoanLogic', libs))
  const poolImpl = s.deploy(art('Pool', libs), [provider])
  s.call(provider, providerAbi, 'setPoolImpl', [poolImpl])
  const pool = getContractAddress({ from: provider, nonce: 1n })
  const configuratorImpl = s.deploy(art('PoolConfigurator', libs))
  s.call(provider, providerAbi, 'setPoolConfiguratorImpl', [configuratorImpl])
  const configurator = getContractAddress({ from: provider, nonce: 2n })

  const oracle = s.deploy(art('AaveOracle'), oracleArgs(provider, d, d.feeds))
  s.call(provider, providerAbi, 'setPriceOracle', [oracle])
  const dataProvider = s.deploy(art('AaveProtocolDataProvider'), [provider])
  s.call(provider, providerAbi, 'setPoolDataProvider', [dataProvider])

  const impls = {
    aToken: s.deploy(art('AToken'), [pool]),
    stableDebt: s.deploy(art('StableDebtToken'), [pool]),
    variableDebt: s.deploy(art('VariableDebtToken'), [pool]),
  }
  const cfgAbi = art('PoolConfigurator', libs).abi
  const assets = [
    ['WETH', d.weth],
    ['USDC', d.usdc],
  ] as const
  const reserves = {} as AaveV3Addresses['reserves']
  for (const [i, [symbol, asset]] of assets.entries()) {
    const strategy = s.deploy(art('DefaultReserveInterestRateStrategy'), strategyArgs(provider, symbol))
    const naming = { market: 'Devnet', prefix: 'Dev' }
    s.call(configurator, cfgAbi, 'initReserves', [
      [reserveInit({ impls, symbol, asset, strategy, treasury: d.deployer, naming })],
    ])
    const first = BigInt(1 + 3 * i)
    reserves[symbol] = {
      aToken: getContractAddress({ from: configurator, nonce: first }),
      stableDebtToken: getContractAddress({ from: configurator, nonce: first + 1n }),
      variableDebtToken: getContractAddress({ from: configurator, nonce: first + 2n }),
    }
    for (const [fn, args] of reserveRiskCalls(asset, symbol)) s.call(configurator, cfgAbi, fn, args)
  }

  // Seed liquidity from freshly minted USDC and wrapped ETH, supplied on behalf of a holder no test or bot uses.
  const poolAbi = art('Pool', libs).abi
  if (d.mintUsdc !== false) s.call(d.usdc, d.tokenAbi, 'mint', [d.deployer, AAVE_SEED.usdc])
  s.call(d.usdc, d.tokenAbi, 'approve', [pool, AAVE_SEED.usdc])
  s.call(pool, poolAbi, 'supply', [d.usdc, AAVE_SEED.usdc, liquidityHolder, 0])
  s.call(d.weth, d.wethAbi, 'deposit', [], AAVE_SEED.weth)
  s.call(d.weth, d.wethAbi, 'approve', [pool, AAVE_SEED.weth])
  s.call(pool, poolAbi, 'supply', [d.weth, AAVE_SEED.weth, liquidityHolder, 0])
  return {
    aaveV3PoolAddressesProvider: provider,
    aaveV3Pool: pool,
    aaveV3PoolConfigurator: configurator,
    aaveV3AclManager: acl,
    aaveV3Oracle: oracle,
    aaveV3PoolDataProvider: dataProvider,
    reserves,
  }
}
