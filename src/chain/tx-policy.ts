// Adapts the pure spend policy (spend-policy.ts) to the engine: one policy per chain, none means refuse.
import { maxUint256 } from 'viem'
import { PolicyViolationError } from './errors.ts'
import { checkSpendPolicy, type SpendPolicy } from './spend-policy.ts'
import type { PolicyInput, TxPolicy } from './tx-engine-types.ts'

/**
 * Builds the engine's policy from per-chain spend policies. A chain without a policy refuses every call
 * (fail closed). Daily totals come from the intent journal. The balance check is done later by the nonce
 * lane, against balance minus the funds its in-flight transactions may still take, before a nonce is taken.
 */
export function createSpendPolicyGuard(policies: readonly SpendPolicy[]): TxPolicy {
  const byChain = new Map(policies.map((p) => [p.chainId, p]))
  return {
    check(input: PolicyInput): void {
      const policy = byChain.get(input.chainId)
      if (!policy) {
        throw new PolicyViolationError('POLICY_BAD_INPUT', `no spend policy is configured for chain ${input.chainId}`, {
          chainId: input.chainId,
          hint: 'add caps and an allowlist for this chain to the config',
        })
      }
      checkSpendPolicy(
        policy,
        {
          chainId: input.chainId,
          from: input.from,
          to: input.to,
          value: input.value,
          data: input.data,
          gasLimit: input.gasLimit,
          maxFeePerGas: input.fees.maxFeePerGas,
          tokenSpends: input.tokenSpends,
        },
        {
          balance: maxUint256,
          spentToday: { native: input.spentToday.native, tokens: Object.fromEntries(input.spentToday.tokens) },
        },
      )
    },
  }
}
