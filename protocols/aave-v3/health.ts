// Health-factor arithmetic for Aave V3 positions: the factor a borrow or a collateral withdrawal would leave.
import { formatUnits, maxUint256, parseUnits } from 'viem'
import { z } from 'zod'

/** 1.0 as an 18-decimal fixed-point number (Aave's WAD, the unit of its health factor). */
export const WAD = 10n ** 18n

/** The account summary `IPool.getUserAccountData` returns (amounts in the market's base currency). */
export interface AccountData {
  totalCollateralBase: bigint
  totalDebtBase: bigint
  /** Collateral-weighted average liquidation threshold in basis points. */
  currentLiquidationThreshold: bigint
  /** WAD; `maxUint256` when there is no debt. */
  healthFactor: bigint
}

/** What an action changes: debt added, or collateral removed at that asset's own liquidation threshold. */
export interface PositionChange {
  debtAddedBase?: bigint
  collateralRemovedBase?: bigint
  collateralThresholdBps?: bigint
}

/**
 * The health factor after `change`, computed like the Pool does (sum of collateral x threshold over debt),
 * rounding against the user (debt up, remaining collateral down) so a projection never looks safer than the
 * Pool will see it. `maxUint256` means no debt.
 */
export function projectHealthFactor(a: AccountData, change: PositionChange): bigint {
  const debt = a.totalDebtBase + (change.debtAddedBase ?? 0n)
  if (debt === 0n) return maxUint256
  const weighted = a.totalCollateralBase * a.currentLiquidationThreshold
  const removed = (change.collateralRemovedBase ?? 0n) * (change.collateralThresholdBps ?? 0n)
  const left = weighted > removed ? weighted - removed : 0n
  return (left * WAD) / (debt * 10_000n)
}

/** An asset amount in the market's base currency, rounded up; `price` is per whole token in base units. */
export function valueInBase(amount: bigint, price: bigint, decimals: number): bigint {
  const scale = 10n ** BigInt(decimals)
  return (amount * price + scale - 1n) / scale
}

/** A health factor for people: "1.8734", or "no debt". */
export function formatHealthFactor(hf: bigint): string {
  if (hf === maxUint256) return 'no debt'
  const [whole, frac = ''] = formatUnits(hf, 18).split('.')
  return frac ? `${whole}.${frac.slice(0, 4).padEnd(4, '0')}` : `${whole}.0000`
}

/**
 * The lowest health factor an action may leave, as a decimal ("1.5" or 1.5), parsed to WAD. At least 1.01:
 * at 1.0 the position can be liquidated, and the Pool itself refuses nothing above 1.0.
 */
export const minHealthFactorSchema = z
  .union([z.number(), z.string().regex(/^\d+(\.\d{1,18})?$/, 'must be a decimal such as "1.5"')])
  .transform((v) => parseUnits(typeof v === 'number' ? v.toFixed(6) : v, 18))
  .refine((v) => v >= parseUnits('1.01', 18), 'must be at least 1.01 (at 1.0 the position can be liquidated)')
  .refine((v) => v <= 100n * WAD, 'must be at most 100')
