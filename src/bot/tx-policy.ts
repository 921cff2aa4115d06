// Adapts the pure per-chain spend policy (caps, allowlist, exact approvals) to the engine's policy port.
import { checkSpendPolicy, type SpendPolicy } from '../chain/spend-policy.ts'
import { PolicyViolationError } from '../chain/errors.ts'
import type { TxPolicy } from '../chain/tx-engine.ts'

/**
 * One TxPolicy over every chain's SpendPolicy. A chain without a policy is refused (fail closed). The engine
 * checks the balance itself before taking a nonce, so the balance given to the pure check is unbounded.
 */
export function createTxPolicy(policies: readonly SpendPolicy[]): TxPolicy {
  const byChain = new Map(policies.map((p) => [p.chainId, p]))
  return {
    check(input) {
      const policy = byChain.get(input.chainId)
      if (!policy) {
        throw new PolicyViolationError('POLICY_BAD_INPUT', `no spend policy for chain ${input.chainId}; nothing is sent there`, {
          chainId: input.chainId, hint: 'configure the chain (caps and allowlist) before sending on it',
        })
      }
      const declared = input.token ? [{ token: input.token.token, amount: input.token.amount }] : []
      checkSpendPolicy(policy, {
        chainId: input.chainId, from: input.from, to: input.to, value: input.value, data: input.data,
        gasLimit: input.gasLimit, maxFeePerGas: input.fees.maxFeePerGas, tokenSpends: declared,
      }, {
        balance: (1n << 255n),
        spentToday: { native: input.spentToday.native, tokens: Object.fromEntries(input.spentToday.tokens) },
      })
    },
  }
}
