// Spend-policy edges: bad input, refusal details, transferFrom and per-token spend rules, missing allowlists.
import { describe, expect, it } from 'vitest'
import { encodeFunctionData, parseAbi, type Address } from 'viem'
import { PolicyViolationError } from './errors.ts'
import {
  checkSpendPolicy,
  effectiveTokenSpends,
  type ProposedTx,
  type SpendPolicy,
  type SpendState,
} from './spend-policy.ts'

const GWEI = 1_000_000_000n
const ETH = 10n ** 18n
const WALLET: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const ROUTER: Address = '0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D'
const TOKEN: Address = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'
const OTHER_TOKEN: Address = '0x6B175474E89094C44Da98b954EedeAC495271d0F'
const STRANGER: Address = '0x000000000000000000000000000000000000dEaD'
const ERC20 = parseAbi([
  'function approve(address,uint256) returns (bool)',
  'function increaseAllowance(address,uint256) returns (bool)',
  'function transfer(address,uint256) returns (bool)',
  'function transferFrom(address,address,uint256) returns (bool)',
])

/** No ownWallets list: the chain's config names no operator wallets. */
const policy: SpendPolicy = {
  chainId: 1,
  maxFeePerGas: 100n * GWEI,
  maxValuePerTx: ETH,
  dailyNativeCap: 3n * ETH,
  dailyTokenCaps: { [TOKEN]: 1_000_000n, [OTHER_TOKEN]: 1_000_000n },
  contracts: [ROUTER, TOKEN, OTHER_TOKEN],
  spenders: [ROUTER],
}
const state: SpendState = { balance: 10n * ETH, spentToday: { native: 0n, tokens: {} } }
const tx = (over: Partial<ProposedTx> = {}): ProposedTx => ({
  chainId: 1,
  from: WALLET,
  to: ROUTER,
  value: 0n,
  data: '0x12345678',
  gasLimit: 200_000n,
  maxFeePerGas: 50n * GWEI,
  ...over,
})
const call = (functionName: 'approve' | 'increaseAllowance' | 'transfer', a: Address, n: bigint) =>
  encodeFunctionData({ abi: ERC20, functionName, args: [a, n] })
const transferFrom = (from: Address, to: Address, n: bigint) =>
  encodeFunctionData({ abi: ERC20, functionName: 'transferFrom', args: [from, to, n] })

function refusal(t: ProposedTx, s: SpendState = state, p: SpendPolicy = policy): PolicyViolationError {
  try {
    checkSpendPolicy(p, t, s)
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyViolationError)
    return e as PolicyViolationError
  }
  throw new Error('expected a refusal')
}

describe('bad input is refused before any cap is looked at', () => {
  it.each([
    ['a negative value', { value: -1n }],
    ['a zero gas limit', { gasLimit: 0n }],
    ['a negative gas limit', { gasLimit: -5n }],
    ['a zero max fee', { maxFeePerGas: 0n }],
    ['a malformed from', { from: '0x1234' as Address }],
    ['a malformed to', { to: 'router' as Address }],
  ])('%s', (_, over) => {
    const e = refusal(tx(over))
    expect(e.code).toBe('POLICY_BAD_INPUT')
    expect(e.details).toMatchObject({ chainId: 1 })
  })

  it('accepts the smallest valid numbers and addresses in any case (the checksum is not enforced)', () => {
    const lowest = tx({ value: 0n, gasLimit: 1n, maxFeePerGas: 1n })
    expect(() => checkSpendPolicy(policy, lowest, state)).not.toThrow()
    // Same address, one letter's case flipped: not a valid EIP-55 checksum, still the same account.
    const badChecksum = '0x70997970c51812dc3A010C7d01b50e0d17dc79C8' as Address
    expect(() => checkSpendPolicy(policy, tx({ from: badChecksum }), state)).not.toThrow()
    const routerBadChecksum = '0x7a250d5630b4cF539739dF2C5dAcb4c659F2488D' as Address
    expect(() => checkSpendPolicy(policy, tx({ to: routerBadChecksum }), state)).not.toThrow()
  })
})

describe('a chain whose config names no own wallets', () => {
  it('refuses plain transfers to anyone but the sender itself', () => {
    const e = refusal(tx({ to: STRANGER, data: '0x', value: 1n }))
    expect(e.code).toBe('POLICY_NOT_ALLOWLISTED')
    expect(() => checkSpendPolicy(policy, tx({ to: WALLET, data: '0x', value: 1n }), state)).not.toThrow()
  })

  it('refuses every call when the contract allowlist is empty', () => {
    expect(refusal(tx(), state, { ...policy, contracts: [] }).code).toBe('POLICY_NOT_ALLOWLISTED')
  })
})

describe('refusals carry the transaction and the numbers in their details', () => {
  const base = { chainId: 1, from: WALLET }
  it.each<[string, Partial<ProposedTx>, SpendState, Record<string, unknown>]>([
    ['contract creation', { to: undefined }, state, { ...base, to: undefined }],
    [
      'max fee',
      { maxFeePerGas: 101n * GWEI },
      state,
      { ...base, maxFeePerGas: String(101n * GWEI), cap: String(100n * GWEI) },
    ],
    ['max value', { value: ETH + 1n }, state, { ...base, to: ROUTER, value: String(ETH + 1n), cap: String(ETH) }],
    [
      'daily native',
      { value: ETH },
      { ...state, spentToday: { native: 2n * ETH, tokens: {} } },
      { ...base, spent: String(2n * ETH), tx: String(ETH + 200_000n * 50n * GWEI), cap: String(3n * ETH) },
    ],
    [
      'balance',
      { value: ETH },
      { ...state, balance: ETH },
      { ...base, balance: String(ETH), need: String(ETH + 200_000n * 50n * GWEI) },
    ],
    ['not allowlisted', { to: STRANGER }, state, { ...base, to: STRANGER }],
  ])('%s', (_, over, s, details) => {
    expect(refusal(tx(over), s).details).toEqual({ to: ROUTER, ...details })
  })

  it('token refusals name the token, amounts and cap', () => {
    const uncapped = refusal(tx({ tokenSpends: [{ token: STRANGER, amount: 7n }] }))
    expect(uncapped.code).toBe('POLICY_TOKEN_UNCAPPED')
    expect(uncapped.details).toEqual({ ...base, to: ROUTER, token: STRANGER, amount: '7' })
    const over = refusal(tx({ tokenSpends: [{ token: TOKEN, amount: 10n }] }), {
      ...state,
      spentToday: { native: 0n, tokens: { [TOKEN]: 999_995n } },
    })
    expect(over.details).toEqual({ ...base, to: ROUTER, token: TOKEN, spent: '999995', amount: '10', cap: '1000000' })
  })

  it('approval refusals name the spender, the amount and the declared spend (0 when none)', () => {
    const spender = refusal(tx({ to: TOKEN, data: call('approve', STRANGER, 5n) }))
    expect(spender.details).toEqual({ ...base, to: TOKEN, spender: STRANGER })
    const unlimited = refusal(tx({ to: TOKEN, data: call('approve', ROUTER, 2n ** 255n) }))
    expect(unlimited.details).toEqual({ ...base, to: TOKEN, spender: ROUTER, amount: String(2n ** 255n) })
    const undeclared = refusal(tx({ to: TOKEN, data: call('approve', ROUTER, 5n) }))
    expect(undeclared.details).toEqual({ ...base, to: TOKEN, spender: ROUTER, amount: '5', declared: '0' })
    const declared = refusal(
      tx({ to: TOKEN, data: call('approve', ROUTER, 5n), tokenSpends: [{ token: TOKEN, amount: 4n }] }),
    )
    expect(declared.details).toMatchObject({ declared: '4' })
  })
})

describe('approvals', () => {
  it('an approval just below the unlimited floor is judged against the declared spend, not as unlimited', () => {
    const amount = 2n ** 255n - 1n
    const ok = tx({ to: TOKEN, data: call('approve', ROUTER, amount), tokenSpends: [{ token: TOKEN, amount }] })
    expect(() => checkSpendPolicy({ ...policy, dailyTokenCaps: { [TOKEN]: amount } }, ok, state)).not.toThrow()
  })

  it('only approve(0) is a revoke: increaseAllowance by 0 still needs an allowlisted spender', () => {
    expect(refusal(tx({ to: TOKEN, data: call('increaseAllowance', STRANGER, 0n) })).code).toBe(
      'POLICY_SPENDER_NOT_ALLOWLISTED',
    )
  })

  it('counts only the declared spend of the approved token, not of another token', () => {
    const t = tx({
      to: TOKEN,
      data: call('approve', ROUTER, 500n),
      tokenSpends: [{ token: OTHER_TOKEN, amount: 900n }],
    })
    expect(refusal(t).code).toBe('POLICY_APPROVAL_EXCEEDS_SPEND')
  })
})

describe('token spends', () => {
  it('transferFrom counts only when it moves tokens out of this wallet', () => {
    expect(effectiveTokenSpends(tx({ to: TOKEN, data: transferFrom(STRANGER, WALLET, 5n) }))).toEqual([])
    const lower = tx({ from: WALLET.toLowerCase() as Address, to: TOKEN, data: transferFrom(WALLET, STRANGER, 5n) })
    expect(effectiveTokenSpends(lower)).toEqual([{ token: TOKEN, amount: 5n }])
    expect(() =>
      checkSpendPolicy(policy, tx({ to: TOKEN, data: transferFrom(STRANGER, WALLET, 2_000_000n) }), state),
    ).not.toThrow()
  })

  it('keeps the larger of a declared spend and the decoded transfer, and the first on a tie', () => {
    const larger = tx({ to: TOKEN, data: call('transfer', STRANGER, 5n), tokenSpends: [{ token: TOKEN, amount: 9n }] })
    expect(effectiveTokenSpends(larger)).toEqual([{ token: TOKEN, amount: 9n }])
    const lower = TOKEN.toLowerCase() as Address
    const tie = tx({ to: TOKEN, data: call('transfer', STRANGER, 5n), tokenSpends: [{ token: lower, amount: 5n }] })
    expect(effectiveTokenSpends(tie)).toEqual([{ token: lower, amount: 5n }])
  })

  it('aggregates per token: each token is checked against its own cap and spend', () => {
    const two = tx({
      tokenSpends: [
        { token: TOKEN, amount: 600_000n },
        { token: OTHER_TOKEN, amount: 600_000n },
      ],
    })
    expect(effectiveTokenSpends(two)).toHaveLength(2)
    expect(() => checkSpendPolicy(policy, two, state)).not.toThrow()
    const e = refusal(two, { ...state, spentToday: { native: 0n, tokens: { [OTHER_TOKEN.toLowerCase()]: 400_001n } } })
    expect(e.code).toBe('POLICY_DAILY_TOKEN')
    expect(e.details).toMatchObject({ token: OTHER_TOKEN, spent: '400001' })
  })

  it('data shorter than a selector, or not ERC-20, moves no tokens', () => {
    expect(effectiveTokenSpends(tx({ to: TOKEN, data: '0xa9059c' }))).toEqual([])
    expect(effectiveTokenSpends(tx({ to: TOKEN, data: undefined }))).toEqual([])
    expect(effectiveTokenSpends(tx({ to: TOKEN, data: '0xa9059cbb' }))).toEqual([])
  })
})
