// Reads what an Aave V3 action depends on: the reserve's tokens and settings, the user's position, the price.
import { isAddressEqual, zeroAddress, type Address, type PublicClient } from 'viem'
import { AdapterPreconditionError } from '../shared/errors.ts'
import type { ReadContext, TokenInfo } from '../types.ts'
import { aaveV3AddressesProviderAbi, aaveV3DataProviderAbi, aaveV3OracleAbi, aaveV3PoolAbi } from './abi.ts'
import type { AccountData } from './health.ts'

const ID = 'aave-v3'

/** One reserve of the market as seen by one user. */
export interface ReserveView {
  aToken: Address
  variableDebtToken: Address
  /** Risk settings in basis points and flags, from the data provider. */
  config: {
    ltv: bigint
    liquidationThreshold: bigint
    usageAsCollateralEnabled: boolean
    borrowingEnabled: boolean
    isActive: boolean
    isFrozen: boolean
    isPaused: boolean
  }
  /** The user's supplied balance (aTokens), variable and stable debt, and whether the supply counts as collateral. */
  position: { supplied: bigint; variableDebt: bigint; stableDebt: bigint; usedAsCollateral: boolean }
  /** Price of one whole token in the market's base currency units. */
  price: bigint
  account: AccountData
  /** What the wallet may still borrow under its LTV, in base currency units. */
  availableBorrowsBase: bigint
}

/** The market's oracle and data provider, found through the Pool's addresses provider (one source of truth). */
export async function marketContracts(
  ctx: ReadContext,
  chainId: number,
  pool: Address,
): Promise<{ oracle: Address; dataProvider: Address }> {
  const client = ctx.client(chainId)
  const provider = await client.readContract({ address: pool, abi: aaveV3PoolAbi, functionName: 'ADDRESSES_PROVIDER' })
  const [oracle, dataProvider] = await Promise.all([
    client.readContract({ address: provider, abi: aaveV3AddressesProviderAbi, functionName: 'getPriceOracle' }),
    client.readContract({ address: provider, abi: aaveV3AddressesProviderAbi, functionName: 'getPoolDataProvider' }),
  ])
  if (isAddressEqual(oracle, zeroAddress) || isAddressEqual(dataProvider, zeroAddress)) {
    throw new AdapterPreconditionError(
      ID,
      `the market of Pool ${pool} has no price oracle or data provider set`,
      'check contracts.aaveV3Pool',
    )
  }
  return { oracle, dataProvider }
}

/**
 * Reads `token`'s reserve and `user`'s position in it; an asset the market does not list is an
 * AdapterPreconditionError (its aToken address is zero).
 */
export async function readReserve(
  ctx: ReadContext,
  chainId: number,
  pool: Address,
  token: TokenInfo,
  user: Address,
): Promise<ReserveView> {
  const client = ctx.client(chainId)
  const { oracle, dataProvider } = await marketContracts(ctx, chainId, pool)
  const dp = { address: dataProvider, abi: aaveV3DataProviderAbi } as const
  // The listing first: the oracle and the reserve getters revert for an asset the market does not list.
  const [aToken, , variableDebtToken] = await client.readContract({
    ...dp,
    functionName: 'getReserveTokensAddresses',
    args: [token.address],
  })
  if (isAddressEqual(aToken, zeroAddress)) {
    throw new AdapterPreconditionError(
      ID,
      `${token.symbol} is not listed in the Aave v3 market of Pool ${pool} on chain ${chainId}`,
      'pick an asset the market lists',
    )
  }
  const [cfg, paused, user_, account, price] = await Promise.all([
    client.readContract({ ...dp, functionName: 'getReserveConfigurationData', args: [token.address] }),
    client.readContract({ ...dp, functionName: 'getPaused', args: [token.address] }),
    client.readContract({ ...dp, functionName: 'getUserReserveData', args: [token.address, user] }),
    client.readContract({ address: pool, abi: aaveV3PoolAbi, functionName: 'getUserAccountData', args: [user] }),
    client.readContract({
      address: oracle,
      abi: aaveV3OracleAbi,
      functionName: 'getAssetPrice',
      args: [token.address],
    }),
  ])
  if (price === 0n)
    throw new AdapterPreconditionError(
      ID,
      `the Aave oracle prices ${token.symbol} at 0`,
      'wait for the price feed; nothing was sent',
    )
  const [, ltv, liquidationThreshold, , , usageAsCollateralEnabled, borrowingEnabled, , isActive, isFrozen] = cfg
  const [supplied, stableDebt, variableDebt, , , , , , usedAsCollateral] = user_
  const [totalCollateralBase, totalDebtBase, availableBorrowsBase, currentLiquidationThreshold, , healthFactor] =
    account
  return {
    aToken,
    variableDebtToken,
    config: {
      ltv,
      liquidationThreshold,
      usageAsCollateralEnabled,
      borrowingEnabled,
      isActive,
      isFrozen,
      isPaused: paused,
    },
    position: { supplied, variableDebt, stableDebt, usedAsCollateral },
    price,
    account: { totalCollateralBase, totalDebtBase, currentLiquidationThreshold, healthFactor },
    availableBorrowsBase,
  }
}

/**
 * The aToken of `asset` in the market of `pool` (its balance is the supplied position, interest included), found
 * through the Pool's addresses provider; an asset the market does not list is an AdapterPreconditionError.
 */
export async function aaveATokenOf(
  client: Pick<PublicClient, 'readContract'>,
  pool: Address,
  asset: Address,
): Promise<Address> {
  const provider = await client.readContract({ address: pool, abi: aaveV3PoolAbi, functionName: 'ADDRESSES_PROVIDER' })
  const dataProvider = await client.readContract({
    address: provider,
    abi: aaveV3AddressesProviderAbi,
    functionName: 'getPoolDataProvider',
  })
  const [aToken] = await client.readContract({
    address: dataProvider,
    abi: aaveV3DataProviderAbi,
    functionName: 'getReserveTokensAddresses',
    args: [asset],
  })
  if (isAddressEqual(aToken, zeroAddress))
    throw new AdapterPreconditionError(
      ID,
      `asset ${asset} is not listed in the Aave v3 market of Pool ${pool}`,
      'pick an asset the market lists',
    )
  return aToken
}
