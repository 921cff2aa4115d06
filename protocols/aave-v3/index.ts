// Aave v3 supply / withdraw against the real Pool ABI. UNTESTED on a live Pool (see README); not in presets.
import { encodeFunctionData, maxUint256 } from 'viem'
import { z } from 'zod'
import { approvalCalls, tokenBalance } from '../shared/approval.ts'
import { AdapterPreconditionError, paramError } from '../shared/errors.ts'
import { addressSchema, amountOrMaxSchema, chainIdSchema, tokenSymbolSchema } from '../shared/params.ts'
import { NATIVE, requireOwnWallet, resolveChain, resolveContract, resolveToken } from '../shared/resolve.ts'
import { tokenAmountIn } from '../shared/amount-fields.ts'
import { defineAdapter } from '../types.ts'
import { aaveV3PoolAbi } from './abi.ts'

const ID = 'aave-v3'

/** supply: `amount` of `asset`; withdraw: `amount` of `asset` or "max" (the whole aToken balance). */
export const aaveV3Params = z.object({
  chainId: chainIdSchema,
  action: z.enum(['supply', 'withdraw']),
  asset: tokenSymbolSchema,
  amount: amountOrMaxSchema,
  /** supply: who gets the aTokens; withdraw: who gets the asset. Must be an own wallet. Default: the wallet. */
  to: addressSchema.optional(),
}).refine((p) => p.amount !== 'max' || p.action === 'withdraw', { message: '"max" is only allowed for withdraw', path: ['amount'] })

export type AaveV3Params = z.output<typeof aaveV3Params>

export const aaveV3Adapter = defineAdapter<AaveV3Params>({
  id: ID,
  kind: 'lend',
  description: 'Aave v3 Pool supply / withdraw (ERC-20 assets; untested on a live Pool, kept out of presets)',
  params: aaveV3Params,
  amounts: { amount: (p) => tokenAmountIn(p.chainId, p.asset) },
  async buildCalls(ctx, p) {
    const book = resolveChain(ID, ctx, p.chainId)
    const pool = resolveContract(ID, book, 'aaveV3Pool')
    const token = resolveToken(ID, book, p.asset, 'asset')
    if (token === NATIVE) throw paramError(ID, 'asset', 'the Pool takes ERC-20 assets only', 'wrap ETH with the weth adapter and supply WETH')
    const to = requireOwnWallet(ID, ctx, p.to ?? ctx.wallet, 'to')
    const client = ctx.client(p.chainId)
    // Fail closed on a mistyped Pool address: calling an address without code "succeeds" and does nothing.
    const code = await client.getCode({ address: pool })
    if (!code || code === '0x') throw new AdapterPreconditionError(ID, `no contract at aaveV3Pool ${pool} on chain ${p.chainId}`, 'fix contracts.aaveV3Pool in the address book')
    if (p.action === 'supply') {
      const amount = p.amount as bigint
      const balance = await tokenBalance(ctx, p.chainId, token.address, ctx.wallet)
      if (balance < amount) throw new AdapterPreconditionError(ID, `wallet holds ${balance} ${token.symbol}, needs ${amount}`, 'fund the wallet or supply less')
      const approvals = await approvalCalls(ctx, p.chainId, token, pool, 'Aave v3 Pool', amount)
      return [...approvals, { chainId: p.chainId, to: pool, value: 0n, label: `supply ${amount} ${token.symbol} to Aave v3`,
        data: encodeFunctionData({ abi: aaveV3PoolAbi, functionName: 'supply', args: [token.address, amount, to, 0] }) }]
    }
    // type(uint256).max is the Pool's own "withdraw everything" sentinel.
    const amount = p.amount === 'max' ? maxUint256 : p.amount
    return [{ chainId: p.chainId, to: pool, value: 0n, label: `withdraw ${p.amount === 'max' ? 'all' : amount} ${token.symbol} from Aave v3`,
      data: encodeFunctionData({ abi: aaveV3PoolAbi, functionName: 'withdraw', args: [token.address, amount, to] }) }]
  },
})
