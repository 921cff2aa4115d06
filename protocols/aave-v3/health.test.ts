// Health-factor projection, base-currency values and the minHealthFactor schema.
import { describe, expect, it } from 'vitest'
import { maxUint256, parseUnits } from 'viem'
import { formatHealthFactor, minHealthFactorSchema, projectHealthFactor, valueInBase, WAD } from './health.ts'

// 12,000 USD of collateral (8-decimal base) at an 82.5% threshold, 5,000 USD owed: HF = 9,900 / 5,000 = 1.98.
const account = {
  totalCollateralBase: 12_000n * 10n ** 8n,
  totalDebtBase: 5_000n * 10n ** 8n,
  currentLiquidationThreshold: 8_250n,
  healthFactor: (198n * WAD) / 100n,
}

describe('projectHealthFactor', () => {
  it('is the current factor for no change, and maxUint256 without debt', () => {
    expect(projectHealthFactor(account, {})).toBe(account.healthFactor)
    expect(projectHealthFactor({ ...account, totalDebtBase: 0n }, {})).toBe(maxUint256)
  })

  it('falls as debt is added and as collateral is removed at its own threshold', () => {
    expect(projectHealthFactor(account, { debtAddedBase: 2_000n * 10n ** 8n })).toBe((9_900n * WAD) / 7_000n)
    // Removing 1 ETH (3,000 USD) at 82.5% leaves 7,425 of weighted collateral.
    expect(
      projectHealthFactor(account, { collateralRemovedBase: 3_000n * 10n ** 8n, collateralThresholdBps: 8_250n }),
    ).toBe((7_425n * WAD) / 5_000n)
    expect(projectHealthFactor(account, { collateralRemovedBase: 10n ** 20n, collateralThresholdBps: 8_250n })).toBe(0n)
  })
})

describe('valueInBase', () => {
  it('prices whole tokens and rounds up (a debt is never undercounted)', () => {
    expect(valueInBase(parseUnits('2', 18), 3_000n * 10n ** 8n, 18)).toBe(6_000n * 10n ** 8n)
    expect(valueInBase(1n, 10n ** 8n, 6)).toBe(100n)
    expect(valueInBase(1n, 3_000n * 10n ** 8n, 18)).toBe(1n)
  })
})

describe('formatHealthFactor and minHealthFactorSchema', () => {
  it('formats to four decimals', () => {
    expect(formatHealthFactor((198n * WAD) / 100n)).toBe('1.9800')
    expect(formatHealthFactor(WAD * 2n)).toBe('2.0000')
    expect(formatHealthFactor(maxUint256)).toBe('no debt')
  })

  it('parses decimals and numbers to WAD and refuses a floor at or below liquidation', () => {
    expect(minHealthFactorSchema.parse('1.5')).toBe((15n * WAD) / 10n)
    expect(minHealthFactorSchema.parse(1.25)).toBe((125n * WAD) / 100n)
    expect(minHealthFactorSchema.safeParse('1.0').success).toBe(false)
    expect(minHealthFactorSchema.safeParse(0.9).success).toBe(false)
    expect(minHealthFactorSchema.safeParse('abc').success).toBe(false)
    expect(minHealthFactorSchema.safeParse(1000).success).toBe(false)
  })
})
