// Native-coin transfer between the operator's own wallets (gas top-ups); strangers are refused.
import { isAddressEqual } from 'viem'
import { z } from 'zod'
import { AdapterPreconditionError, paramError } from '../shared/errors.ts'
import { rawChainId } from '../shared/amount-fields.ts'
import { addressSchema, amountSchema, chainIdSchema } from '../shared/params.ts'
import { requireOwnWallet, resolveChain } from '../shared/resolve.ts'
import { defineAdapter } from '../types.ts'
import { NATIVE_TRANSFER_DATA } from './abi.ts'

const ID = 'native-transfer'

/** Send `amount` wei to `to`, which must be another of the operator's wallets. */
export const nativeTransferParams = z.object({
  chainId: chainIdSchema,
  to: addressSchema,
  amount: amountSchema,
})

export type NativeTransferParams = z.output<typeof nativeTransferParams>

export const nativeTransferAdapter = defineAdapter<NativeTransferParams>({
  id: ID,
  kind: 'transfer',
  description: "Native ETH transfer to another of the operator's own wallets (gas top-up)",
  params: nativeTransferParams,
  amounts: { amount: (p) => (rawChainId(p.chainId) ? { chainId: rawChainId(p.chainId)!, token: 'ETH' } : undefined) },
  async buildCalls(ctx, p) {
    resolveChain(ID, ctx, p.chainId)
    requireOwnWallet(ID, ctx, p.to, 'to')
    if (isAddressEqual(p.to, ctx.wallet))
      throw paramError(ID, 'to', 'is the sending wallet itself', 'pick another own wallet')
    const balance = await ctx.client(p.chainId).getBalance({ address: ctx.wallet })
    // Strictly more than the amount: the sender must still pay gas for this very transfer.
    if (balance <= p.amount)
      throw new AdapterPreconditionError(ID, `wallet holds ${balance} wei, needs ${p.amount} plus gas`, 'send less')
    return [
      {
        chainId: p.chainId,
        to: p.to,
        value: p.amount,
        data: NATIVE_TRANSFER_DATA,
        label: `send ${p.amount} wei to own wallet ${p.to}`,
      },
    ]
  },
})
