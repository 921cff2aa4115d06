// The engine's spend-policy guard: a chain without a policy refuses, and every field reaches the pure checks.
import { describe, expect, it } from 'vitest'
import { encodeFunctionData, parseAbi, type Address } from 'viem'
import { PolicyViolationError } from './errors.ts'
import type { SpendPolicy } from './spend-policy.ts'
import type { PolicyInput } from './tx-engine-types.ts'
import { createSpendPolicyGuard } from './tx-policy.ts'

const GWEI = 1_000_000_000n
const ETH = 10n ** 18n
const WALLET: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const ROUTER: Address = '0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D'
const TOKEN: Address = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'
const ERC20 = parseAbi(['function approve(address,uint256) returns (bool)'])

const policy = (chainId: number): SpendPolicy => ({
  chainId,
  maxFeePerGas: 100n * GWEI,
  maxValuePerTx: ETH,
  dailyNativeCap: 3n * ETH,
  dailyTokenCaps: { [TOKEN]: 1000n },
  contracts: [ROUTER, TOKEN],
  spenders: [ROUTER],
})
const input = (over: Partial<PolicyInput> = {}): PolicyInput => ({
  chainId: 10,
  from: WALLET,
  to: ROUTER,
  value: 0n,
  data: '0x12345678',
  gasLimit: 100_000n,
  fees: { maxFeePerGas: 50n * GWEI, maxPriorityFeePerGas: GWEI },
  tokenSpends: [],
  spentToday: { native: 0n, tokens: new Map() },
  ...over,
})
/** Built per check, inside the test (a guard built at import would hide mistakes in building it). */
const codeOf = (i: PolicyInput): string | undefined => {
  try {
    createSpendPolicyGuard([policy(1), policy(10)]).check(i)
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyViolationError)
    return (e as PolicyViolationError).code
  }
}

describe('createSpendPolicyGuard', () => {
  it('a chain without a policy refuses every call, naming the chain', () => {
    const empty = createSpendPolicyGuard([])
    expect(() => empty.check(input())).toThrow(PolicyViolationError)
    try {
      empty.check(input({ chainId: 42 }))
    } catch (e) {
      expect((e as PolicyViolationError).code).toBe('POLICY_BAD_INPUT')
      expect((e as PolicyViolationError).chainId).toBe(42)
    }
    expect(codeOf(input({ chainId: 137 }))).toBe('POLICY_BAD_INPUT')
  })

  it('checks each chain against its own policy, and a plain call passes', () => {
    expect(codeOf(input())).toBeUndefined()
    expect(codeOf(input({ chainId: 1 }))).toBeUndefined()
  })

  it('passes the call as it will be signed: target, value, fee, gas and data', () => {
    expect(codeOf(input({ to: WALLET.replace('7099', '7098') as Address }))).toBe('POLICY_NOT_ALLOWLISTED')
    expect(codeOf(input({ value: ETH + 1n }))).toBe('POLICY_MAX_VALUE')
    expect(codeOf(input({ fees: { maxFeePerGas: 101n * GWEI, maxPriorityFeePerGas: GWEI } }))).toBe('POLICY_MAX_FEE')
    expect(codeOf(input({ gasLimit: 0n }))).toBe('POLICY_BAD_INPUT')
    expect(codeOf(input({ from: '0x12' as Address }))).toBe('POLICY_BAD_INPUT')
    const approve = encodeFunctionData({ abi: ERC20, functionName: 'approve', args: [ROUTER, 10n] })
    expect(codeOf(input({ to: TOKEN, data: approve }))).toBe('POLICY_APPROVAL_EXCEEDS_SPEND')
    expect(codeOf(input({ to: TOKEN, data: approve, tokenSpends: [{ token: TOKEN, amount: 10n }] }))).toBeUndefined()
  })

  it("counts today's native and token totals from the journal, and leaves the balance to the nonce lane", () => {
    const almost = { native: 3n * ETH - 100_000n * 50n * GWEI, tokens: new Map([[TOKEN.toLowerCase(), 995n]]) }
    expect(codeOf(input({ spentToday: almost }))).toBeUndefined()
    expect(codeOf(input({ value: 1n, spentToday: almost }))).toBe('POLICY_DAILY_NATIVE')
    expect(codeOf(input({ tokenSpends: [{ token: TOKEN, amount: 5n }], spentToday: almost }))).toBeUndefined()
    expect(codeOf(input({ tokenSpends: [{ token: TOKEN, amount: 6n }], spentToday: almost }))).toBe(
      'POLICY_DAILY_TOKEN',
    )
    // Nothing known about the balance here: a large value within the caps passes.
    expect(codeOf(input({ value: ETH }))).toBeUndefined()
  })
})
