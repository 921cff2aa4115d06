// Each spend-policy refusal, its code and numbers, and the transactions that must pass.
import { describe, expect, it } from 'vitest'
import { encodeFunctionData, maxUint256, parseAbi, type Address } from 'viem'
import { PolicyViolationError } from './errors.ts'
import {
  checkSpendPolicy,
  decodeApproval,
  effectiveTokenSpends,
  worstCaseCost,
  type ProposedTx,
  type SpendPolicy,
  type SpendState,
} from './spend-policy.ts'

const GWEI = 1_000_000_000n
const ETH = 10n ** 18n
const WALLET: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const OTHER_WALLET: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const ROUTER: Address = '0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D'
const TOKEN: Address = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'
const UNCAPPED_TOKEN: Address = '0xdAC17F958D2ee523a2206206994597C13D831ec7'
const STRANGER: Address = '0x000000000000000000000000000000000000dEaD'
const ERC20 = parseAbi([
  'function approve(address,uint256) returns (bool)',
  'function increaseAllowance(address,uint256) returns (bool)',
  'function transfer(address,uint256) returns (bool)',
  'function transferFrom(address,address,uint256) returns (bool)',
])

const policy: SpendPolicy = {
  chainId: 1,
  maxFeePerGas: 100n * GWEI,
  maxValuePerTx: ETH,
  dailyNativeCap: 3n * ETH,
  dailyTokenCaps: { [TOKEN.toLowerCase()]: 1_000_000n },
  contracts: [ROUTER, TOKEN, UNCAPPED_TOKEN],
  spenders: [ROUTER],
  ownWallets: [OTHER_WALLET],
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
const approve = (spender: Address, amount: bigint) =>
  encodeFunctionData({ abi: ERC20, functionName: 'approve', args: [spender, amount] })

function refusal(t: ProposedTx, s: SpendState = state): PolicyViolationError {
  try {
    checkSpendPolicy(policy, t, s)
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyViolationError)
    const p = e as PolicyViolationError
    expect(p.retryable).toBe(false)
    return p
  }
  throw new Error('expected a refusal')
}

describe('caps', () => {
  it('max fee per gas: refused above the cap with both numbers, accepted at the cap', () => {
    const e = refusal(tx({ maxFeePerGas: 100n * GWEI + 1n }))
    expect(e.code).toBe('POLICY_MAX_FEE')
    expect(e.message).toContain('100000000001')
    expect(e.message).toContain('maxFeePerGas=100000000000')
    expect(() => checkSpendPolicy(policy, tx({ maxFeePerGas: 100n * GWEI }), state)).not.toThrow()
  })

  it('max value per tx', () => {
    const e = refusal(tx({ value: ETH + 1n }))
    expect(e.code).toBe('POLICY_MAX_VALUE')
    expect(e.message).toContain(`maxValuePerTx=${ETH}`)
    expect(() => checkSpendPolicy(policy, tx({ value: ETH }), state)).not.toThrow()
  })

  it('daily native cap counts value plus worst-case gas on top of what was spent today', () => {
    const t = tx({ value: ETH })
    const cost = worstCaseCost(t)
    expect(cost).toBe(ETH + 200_000n * 50n * GWEI)
    const room = 3n * ETH - cost
    expect(() => checkSpendPolicy(policy, t, { ...state, spentToday: { native: room, tokens: {} } })).not.toThrow()
    const e = refusal(t, { ...state, spentToday: { native: room + 1n, tokens: {} } })
    expect(e.code).toBe('POLICY_DAILY_NATIVE')
    expect(e.message).toContain(`dailyNativeCap=${3n * ETH}`)
  })

  it('daily token cap per token (addresses in any case), and uncapped tokens fail closed', () => {
    const swap = tx({ tokenSpends: [{ token: TOKEN, amount: 400_000n }] })
    expect(() =>
      checkSpendPolicy(policy, swap, { ...state, spentToday: { native: 0n, tokens: { [TOKEN]: 600_000n } } }),
    ).not.toThrow()
    const e = refusal(swap, {
      ...state,
      spentToday: { native: 0n, tokens: { [TOKEN.toUpperCase().replace('0X', '0x')]: 600_001n } },
    })
    expect(e.code).toBe('POLICY_DAILY_TOKEN')
    expect(e.message).toContain('1000001')
    expect(refusal(tx({ tokenSpends: [{ token: UNCAPPED_TOKEN, amount: 1n }] })).code).toBe('POLICY_TOKEN_UNCAPPED')
  })

  it('an undeclared ERC-20 transfer is decoded and counted against the token cap', () => {
    const data = encodeFunctionData({ abi: ERC20, functionName: 'transfer', args: [STRANGER, 1_000_001n] })
    expect(effectiveTokenSpends(tx({ to: TOKEN, data }))).toEqual([{ token: TOKEN, amount: 1_000_001n }])
    expect(refusal(tx({ to: TOKEN, data })).code).toBe('POLICY_DAILY_TOKEN')
    const from = encodeFunctionData({ abi: ERC20, functionName: 'transferFrom', args: [WALLET, STRANGER, 5n] })
    expect(effectiveTokenSpends(tx({ to: TOKEN, data: from, tokenSpends: [{ token: TOKEN, amount: 3n }] }))).toEqual([
      { token: TOKEN, amount: 5n },
    ])
  })

  it('balance must cover value + gasLimit x maxFee', () => {
    const t = tx({ value: ETH / 2n })
    expect(() => checkSpendPolicy(policy, t, { ...state, balance: worstCaseCost(t) })).not.toThrow()
    const e = refusal(t, { ...state, balance: worstCaseCost(t) - 1n })
    expect(e.code).toBe('POLICY_BALANCE')
    expect(e.message).toContain(String(worstCaseCost(t)))
  })
})

describe('allowlist', () => {
  it('refuses calls to unlisted contracts and contract creation', () => {
    const e = refusal(tx({ to: STRANGER }))
    expect(e.code).toBe('POLICY_NOT_ALLOWLISTED')
    expect(e.message).toContain(STRANGER)
    expect(refusal(tx({ to: undefined })).code).toBe('POLICY_CONTRACT_CREATION')
  })

  it('allows plain transfers to self (cancel) and to own wallets, but not calls to them or transfers to strangers', () => {
    expect(() => checkSpendPolicy(policy, tx({ to: WALLET, data: '0x' }), state)).not.toThrow()
    expect(() =>
      checkSpendPolicy(policy, tx({ to: OTHER_WALLET.toLowerCase() as Address, data: undefined, value: 1n }), state),
    ).not.toThrow()
    expect(refusal(tx({ to: OTHER_WALLET, data: '0xdeadbeef' })).code).toBe('POLICY_NOT_ALLOWLISTED')
    expect(refusal(tx({ to: STRANGER, data: '0x', value: 1n })).code).toBe('POLICY_NOT_ALLOWLISTED')
  })

  it('refuses a policy of another chain', () => {
    expect(refusal(tx({ chainId: 10 })).code).toBe('POLICY_BAD_INPUT')
  })
})

describe('exact-amount approvals', () => {
  it('decodes approve and increaseAllowance calldata', () => {
    expect(decodeApproval(approve(ROUTER, 5n))).toEqual({ fn: 'approve', spender: ROUTER, amount: 5n })
    expect(
      decodeApproval(encodeFunctionData({ abi: ERC20, functionName: 'increaseAllowance', args: [ROUTER, 7n] }))?.fn,
    ).toBe('increaseAllowance')
    expect(decodeApproval('0x12345678')).toBeUndefined()
  })

  it('accepts an approval equal to the declared spend to an allowlisted spender', () => {
    expect(() =>
      checkSpendPolicy(
        policy,
        tx({ to: TOKEN, data: approve(ROUTER, 500n), tokenSpends: [{ token: TOKEN, amount: 500n }] }),
        state,
      ),
    ).not.toThrow()
  })

  it('refuses unlimited approvals (maxUint256 and 2^255 sentinels)', () => {
    for (const amount of [maxUint256, 2n ** 255n]) {
      const e = refusal(tx({ to: TOKEN, data: approve(ROUTER, amount), tokenSpends: [{ token: TOKEN, amount: 500n }] }))
      expect(e.code).toBe('POLICY_UNLIMITED_APPROVAL')
    }
  })

  it('refuses approvals above the declared spend, or with none declared', () => {
    const over = refusal(tx({ to: TOKEN, data: approve(ROUTER, 501n), tokenSpends: [{ token: TOKEN, amount: 500n }] }))
    expect(over.code).toBe('POLICY_APPROVAL_EXCEEDS_SPEND')
    expect(over.message).toContain('501')
    expect(over.message).toContain('500')
    expect(refusal(tx({ to: TOKEN, data: approve(ROUTER, 1n) })).code).toBe('POLICY_APPROVAL_EXCEEDS_SPEND')
    const inc = encodeFunctionData({ abi: ERC20, functionName: 'increaseAllowance', args: [ROUTER, 600n] })
    expect(refusal(tx({ to: TOKEN, data: inc, tokenSpends: [{ token: TOKEN, amount: 500n }] })).code).toBe(
      'POLICY_APPROVAL_EXCEEDS_SPEND',
    )
  })

  it('refuses approvals to spenders off the allowlist, but allows revoking (approve 0) to anyone', () => {
    const e = refusal(tx({ to: TOKEN, data: approve(STRANGER, 5n), tokenSpends: [{ token: TOKEN, amount: 5n }] }))
    expect(e.code).toBe('POLICY_SPENDER_NOT_ALLOWLISTED')
    expect(e.message).toContain(STRANGER)
    expect(() => checkSpendPolicy(policy, tx({ to: TOKEN, data: approve(STRANGER, 0n) }), state)).not.toThrow()
  })
})
