// The Aave V3 reserve listing both local markets share: libraries, oracle, rate curves, risk and init arguments.
import { zeroAddress, type Address } from 'viem'

const RAY = 10n ** 27n
/** A percentage as a ray (27 decimals), as the interest-rate strategy takes it. */
const ray = (pct: number) => (BigInt(Math.round(pct * 100)) * RAY) / 10_000n
/** Devnet risk parameters in bps: LTV, liquidation threshold, liquidation bonus (shaped like a main market's). */
const RISK = { WETH: [8_000n, 8_250n, 10_500n], USDC: [7_700n, 8_000n, 10_450n] } as const
/** Interest-rate curves: [optimal usage, base, slope1, slope2] in percent. */
const RATES = { WETH: [80, 0, 3.8, 80], USDC: [90, 0, 4, 60] } as const

/** The listed reserves, in listing order (the configurator creates their tokens in this order). */
export type ReserveSymbol = 'WETH' | 'USDC'
/** Decimals of each listed reserve's asset. */
const RESERVE_DECIMALS: Record<ReserveSymbol, number> = { WETH: 18, USDC: 6 }

/** The logic libraries the Pool links, deployed in this order; FlashLoanLogic links BorrowLogic, so it comes after. */
export const LOGIC_LIBRARIES = [
  'BorrowLogic',
  'BridgeLogic',
  'EModeLogic',
  'LiquidationLogic',
  'PoolLogic',
  'SupplyLogic',
  'ConfiguratorLogic',
] as const

/** AaveOracle constructor arguments: USD feeds (8 decimals) for WETH and USDC, no fallback, USD base unit. */
export function oracleArgs(
  provider: Address,
  assets: { weth: Address; usdc: Address },
  feeds: { ETH_USD: Address; USDC_USD: Address },
): readonly unknown[] {
  return [provider, [assets.weth, assets.usdc], [feeds.ETH_USD, feeds.USDC_USD], zeroAddress, zeroAddress, 10n ** 8n]
}

/** DefaultReserveInterestRateStrategy constructor arguments for a reserve's curve (stable rates as a main market). */
export function strategyArgs(provider: Address, symbol: ReserveSymbol): readonly unknown[] {
  const [optimal, base, slope1, slope2] = RATES[symbol]
  return [provider, ray(optimal), ray(base), ray(slope1), ray(slope2), ray(0.5), ray(60), ray(2), ray(5), ray(20)]
}

/** One `initReserves` entry; token names read `Aave <market> ...`, symbols `a<prefix>WETH` as Aave names them. */
export function reserveInit(r: {
  impls: { aToken: Address; stableDebt: Address; variableDebt: Address }
  symbol: ReserveSymbol
  asset: Address
  strategy: Address
  treasury: Address
  naming: { market: string; prefix: string }
}) {
  const { market, prefix } = r.naming
  return {
    aTokenImpl: r.impls.aToken,
    stableDebtTokenImpl: r.impls.stableDebt,
    variableDebtTokenImpl: r.impls.variableDebt,
    underlyingAssetDecimals: RESERVE_DECIMALS[r.symbol],
    interestRateStrategyAddress: r.strategy,
    underlyingAsset: r.asset,
    treasury: r.treasury,
    incentivesController: zeroAddress,
    aTokenName: `Aave ${market} ${r.symbol}`,
    aTokenSymbol: `a${prefix}${r.symbol}`,
    variableDebtTokenName: `Aave ${market} Variable Debt ${r.symbol}`,
    variableDebtTokenSymbol: `variableDebt${prefix}${r.symbol}`,
    stableDebtTokenName: `Aave ${market} Stable Debt ${r.symbol}`,
    stableDebtTokenSymbol: `stableDebt${prefix}${r.symbol}`,
    params: '0x' as const,
  }
}

/** The PoolConfigurator calls that follow a reserve's init: collateral parameters, borrowing on, 10 % reserve factor. */
export function reserveRiskCalls(asset: Address, symbol: ReserveSymbol): [functionName: string, args: unknown[]][] {
  const [ltv, threshold, bonus] = RISK[symbol]
  return [
    ['configureReserveAsCollateral', [asset, ltv, threshold, bonus]],
    ['setReserveBorrowing', [asset, true]],
    ['setReserveFactor', [asset, 1_000n]],
  ]
}
