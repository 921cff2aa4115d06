// The amount rule: token units by default, base units only when written out, bare numbers refused.
import { describe, expect, it } from 'vitest'
import { createAddressBook } from '../address-book/index.ts'
import { parseAdapterParams } from '../registry.ts'
import { uniswapV2Adapter } from '../uniswap-v2/index.ts'
import { wethAdapter } from '../weth/index.ts'
import { formatAmount, readAmount, toBaseUnits } from './amount.ts'
import { applyAmountRuleOffline } from './amount-fields.ts'

const book = createAddressBook([{ id: 1 }])
const issuesOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    return (e as { issues?: Array<{ path: string; message: string }> }).issues
  }
  throw new Error('expected a ValidationError')
}

describe('readAmount / toBaseUnits', () => {
  it('reads token units, explicit base units and refuses the rest', () => {
    expect(readAmount('0.2')).toEqual({ ok: true, amount: { kind: 'units', text: '0.2' } })
    expect(readAmount(' 200000 wei ')).toEqual({ ok: true, amount: { kind: 'raw', value: 200000n } })
    expect(readAmount({ raw: '200000' })).toEqual({ ok: true, amount: { kind: 'raw', value: 200000n } })
    expect(readAmount(5n)).toEqual({ ok: true, amount: { kind: 'raw', value: 5n } })
    expect(readAmount(0.2)).toMatchObject({ ok: false, message: expect.stringContaining('bare numbers are refused') })
    expect(readAmount('0')).toMatchObject({ ok: false, message: 'must be greater than zero' })
    expect(readAmount('0 wei')).toMatchObject({ ok: false })
    expect(readAmount('-1')).toMatchObject({ ok: false })
    expect(readAmount('1e18')).toMatchObject({ ok: false })
    expect(readAmount({ raw: '1.5' })).toMatchObject({ ok: false })
    expect(readAmount({ raw: '1', extra: 1 })).toMatchObject({ ok: false })
  })

  it("formats base units in the token's units with its symbol, exactly", () => {
    expect(formatAmount(200_000_000_000_000_000n, 18, 'WETH')).toBe('0.2 WETH')
    expect(formatAmount(500_000_001n, 6, 'USDC')).toBe('500.000001 USDC')
    expect(formatAmount(1n, 18, 'ETH')).toBe('0.000000000000000001 ETH')
  })

  it('applies decimals exactly and refuses precision finer than the token has', () => {
    expect(toBaseUnits({ kind: 'units', text: '0.2' }, 18, 'WETH')).toEqual({
      ok: true,
      value: 200_000_000_000_000_000n,
    })
    expect(toBaseUnits({ kind: 'units', text: '500' }, 6, 'USDC')).toEqual({ ok: true, value: 500_000_000n })
    expect(toBaseUnits({ kind: 'units', text: '0.0000001' }, 6, 'USDC')).toMatchObject({
      ok: false,
      message: expect.stringContaining('USDC has 6'),
    })
    expect(toBaseUnits({ kind: 'raw', value: 7n }, 6, 'USDC')).toEqual({ ok: true, value: 7n })
  })
})

describe('adapter params through the rule (book only, no RPC)', () => {
  it('"0.2" WETH and "500" USDC become base units with the book\'s decimals', () => {
    const swap = parseAdapterParams(
      uniswapV2Adapter,
      { chainId: 1, tokenIn: 'USDC', tokenOut: 'WETH', amountIn: '500', slippageBps: 30 },
      book,
    )
    expect(swap.amountIn).toBe(500_000_000n)
    const wrap = parseAdapterParams(wethAdapter, { chainId: 1, action: 'wrap', amount: '0.2' }, book)
    expect(wrap.amount).toBe(200_000_000_000_000_000n)
    expect(
      parseAdapterParams(
        uniswapV2Adapter,
        { chainId: 1, tokenIn: 'USDC', tokenOut: 'WETH', amountIn: '7 wei', slippageBps: 30 },
        book,
      ).amountIn,
    ).toBe(7n)
  })

  it('each bad amount is listed with its field path', () => {
    const base = { chainId: 1, tokenIn: 'USDC', tokenOut: 'WETH', slippageBps: 30 }
    expect(issuesOf(() => parseAdapterParams(uniswapV2Adapter, { ...base, amountIn: 500 }, book))).toEqual([
      { path: 'amountIn', message: expect.stringContaining('bare numbers are refused') },
    ])
    expect(
      issuesOf(() => parseAdapterParams(uniswapV2Adapter, { ...base, tokenIn: 'NOPE', amountIn: '5' }, book)),
    ).toEqual([{ path: 'amountIn', message: expect.stringContaining('"NOPE" is not in the address book of chain 1') }])
    expect(issuesOf(() => parseAdapterParams(uniswapV2Adapter, { ...base, amountIn: '1.0000001' }, book))).toEqual([
      { path: 'amountIn', message: expect.stringContaining('7 decimal places but USDC has 6') },
    ])
  })

  it('without a book a token-unit string is refused rather than guessed', () => {
    expect(issuesOf(() => parseAdapterParams(wethAdapter, { chainId: 1, action: 'wrap', amount: '1000' }))).toEqual([
      { path: 'amount', message: expect.stringContaining('is in token units, but its token is unknown here') },
    ])
  })

  it('a token the book lacks is deferred to a chain read, not guessed', () => {
    const r = applyAmountRuleOffline(
      { amount: () => ({ chainId: 1, address: '0x1111111111111111111111111111111111111111' }) },
      { amount: '3' },
      book,
    )
    expect(r).toEqual({ params: { amount: '3' }, issues: [], deferred: ['amount'] })
  })
})
