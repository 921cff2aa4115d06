// Aave V3 functions the adapter calls or reads (signatures as in @aave/core-v3's IPool, IPoolAddressesProvider,
// IAaveOracle and AaveProtocolDataProvider; abi.test.ts checks them against the published artifacts).
import { parseAbi } from 'viem'

/** IPool subset: the four position changes and the account summary. */
export const aaveV3PoolAbi = parseAbi([
  'function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)',
  'function withdraw(address asset, uint256 amount, address to) returns (uint256)',
  'function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf)',
  'function repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf) returns (uint256)',
  'function getUserAccountData(address user) view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor)',
  'function ADDRESSES_PROVIDER() view returns (address)',
])

/** IPoolAddressesProvider subset: where the market's oracle and data provider live. */
export const aaveV3AddressesProviderAbi = parseAbi([
  'function getPriceOracle() view returns (address)',
  'function getPoolDataProvider() view returns (address)',
])

/** IAaveOracle subset: an asset's price in the market's base currency (USD with 8 decimals on most markets). */
export const aaveV3OracleAbi = parseAbi([
  'function getAssetPrice(address asset) view returns (uint256)',
  'function BASE_CURRENCY_UNIT() view returns (uint256)',
])

/** AaveProtocolDataProvider subset: a reserve's tokens and risk settings, and a user's position in it. */
export const aaveV3DataProviderAbi = parseAbi([
  'function getReserveTokensAddresses(address asset) view returns (address aTokenAddress, address stableDebtTokenAddress, address variableDebtTokenAddress)',
  'function getReserveConfigurationData(address asset) view returns (uint256 decimals, uint256 ltv, uint256 liquidationThreshold, uint256 liquidationBonus, uint256 reserveFactor, bool usageAsCollateralEnabled, bool borrowingEnabled, bool stableBorrowRateEnabled, bool isActive, bool isFrozen)',
  'function getUserReserveData(address asset, address user) view returns (uint256 currentATokenBalance, uint256 currentStableDebt, uint256 currentVariableDebt, uint256 principalStableDebt, uint256 scaledVariableDebt, uint256 stableBorrowRate, uint256 liquidityRate, uint40 stableRateLastUpdated, bool usageAsCollateralEnabled)',
  'function getPaused(address asset) view returns (bool isPaused)',
])

/** Aave's interest-rate mode for variable-rate debt (stable-rate borrowing is disabled on current markets). */
export const VARIABLE_RATE_MODE = 2n
