// WETH9 wrap (ETH -> WETH) and unwrap (WETH -> ETH), e.g. to turn WETH into gas money.
import { encodeFunctionData } from 'viem'
import { z } from 'zod'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { formatAmount } from '../shared/amount.ts'
import { rawChainId } from '../shared/amount-fields.ts'
import { amountSchema, chainIdSchema } from '../shared/params.ts'
import { resolveChain, resolveContract } from '../shared/resolve.ts'
import { defineAdapter } from '../types.ts'
import { wethAbi } from './abi.ts'

const ID = 'weth'

/** `amount` in wei. */
export const wethParams = z.object({
  chainId: chainIdSchema,
  action: z.enum(['wrap', 'unwrap']),
  amount: amountSchema,
})

export type WethParams = z.output<typeof wethParams>

export const wethAdapter = defineAdapter<WethParams>({
  id: ID,
  kind: 'transfer',
  description: "WETH9 wrap / unwrap on the chain's canonical WETH",
  params: wethParams,
  // WETH9 has the native coin's 18 decimals, so "0.2" means 0.2 ETH / WETH either way.
  amounts: { amount: (p) => (rawChainId(p.chainId) ? { chainId: rawChainId(p.chainId)!, token: 'ETH' } : undefined) },
  async buildCalls(ctx, p) {
    const weth = resolveContract(ID, resolveChain(ID, ctx, p.chainId), 'weth')
    const client = ctx.client(p.chainId)
    if (p.action === 'wrap') {
      const balance = await client.getBalance({ address: ctx.wallet })
      if (balance <= p.amount)
        throw new AdapterPreconditionError(ID, `wallet holds ${balance} wei, needs ${p.amount} plus gas`, 'wrap less')
      return [
        {
          chainId: p.chainId,
          to: weth,
          value: p.amount,
          label: `wrap ${formatAmount(p.amount, 18, 'ETH')} to WETH`,
          data: encodeFunctionData({ abi: wethAbi, functionName: 'deposit' }),
        },
      ]
    }
    const balance = await client.readContract({
      address: weth,
      abi: wethAbi,
      functionName: 'balanceOf',
      args: [ctx.wallet],
    })
    if (balance < p.amount)
      throw new AdapterPreconditionError(ID, `wallet holds ${balance} WETH wei, needs ${p.amount}`, 'unwrap less')
    return [
      {
        chainId: p.chainId,
        to: weth,
        value: 0n,
        label: `unwrap ${formatAmount(p.amount, 18, 'WETH')} to ETH`,
        data: encodeFunctionData({ abi: wethAbi, functionName: 'withdraw', args: [p.amount] }),
      },
    ]
  },
})
