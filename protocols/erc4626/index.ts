// ERC-4626 vault deposit / withdraw / redeem on any vault, with an exact asset approval before a deposit.
import { encodeFunctionData, isAddress, getAddress, type Address } from 'viem'
import { z } from 'zod'
import { erc20Abi } from '../shared/erc20-abi.ts'
import { approvalCalls, tokenBalance } from '../shared/approval.ts'
import { AdapterPreconditionError, paramError } from '../shared/errors.ts'
import { addressSchema, amountOrMaxSchema, chainIdSchema } from '../shared/params.ts'
import { requireOwnWallet, resolveChain } from '../shared/resolve.ts'
import { rawChainId, rawVault } from '../shared/amount-fields.ts'
import { defineAdapter, type ReadContext } from '../types.ts'
import { erc4626Abi } from './abi.ts'

const ID = 'erc4626'

/**
 * deposit: `amount` of the asset; withdraw: `amount` of the asset; redeem: `amount` of shares ("max" = all).
 * `vault` is a name from the address book's vaults or a vault address.
 */
export const erc4626Params = z
  .object({
    chainId: chainIdSchema,
    vault: z.string().min(1),
    action: z.enum(['deposit', 'withdraw', 'redeem']),
    amount: amountOrMaxSchema,
    /** Who receives shares (deposit) or assets (withdraw/redeem); must be an own wallet. Default: the wallet. */
    receiver: addressSchema.optional(),
  })
  .refine((p) => p.amount !== 'max' || p.action !== 'deposit', {
    message: '"max" is only allowed for withdraw and redeem',
    path: ['amount'],
  })

export type Erc4626Params = z.output<typeof erc4626Params>

/** The vault's address: a book name or a literal address on a configured chain. */
export function resolveVault(ctx: ReadContext, p: Erc4626Params): Address {
  const book = resolveChain(ID, ctx, p.chainId)
  const named = book.vaults?.[p.vault]
  if (named) return named
  if (isAddress(p.vault, { strict: false })) return getAddress(p.vault)
  const known = Object.keys(book.vaults ?? {}).join(', ') || 'none'
  throw paramError(
    ID,
    'vault',
    `unknown vault "${p.vault}" on chain ${p.chainId} (known: ${known})`,
    'use a vault name from the address book or the vault address',
  )
}

export const erc4626Adapter = defineAdapter<Erc4626Params>({
  id: ID,
  kind: 'lend',
  description: 'ERC-4626 vault deposit / withdraw / redeem (any compliant vault), exact approval before deposit',
  params: erc4626Params,
  // deposit / withdraw count the vault's asset; redeem counts its shares (the vault is the share token).
  amounts: {
    amount: (p, book) => {
      const chainId = rawChainId(p.chainId)
      const vault = chainId ? rawVault(book, chainId, p.vault) : undefined
      if (!chainId || !vault) return undefined
      return p.action === 'redeem' ? { chainId, address: vault } : { chainId, vaultAsset: vault }
    },
  },
  async buildCalls(ctx, p) {
    const vault = resolveVault(ctx, p)
    const receiver = requireOwnWallet(ID, ctx, p.receiver ?? ctx.wallet, 'receiver')
    const client = ctx.client(p.chainId)
    const read = <F extends 'asset' | 'symbol'>(functionName: F) =>
      client.readContract({ address: vault, abi: erc4626Abi, functionName })
    const [asset, symbol] = await Promise.all([read('asset'), read('symbol')])
    if (p.action === 'deposit') {
      const amount = p.amount as bigint
      const [balance, maxDeposit, shares, assetSymbol, decimals] = await Promise.all([
        tokenBalance(ctx, p.chainId, asset, ctx.wallet),
        client.readContract({ address: vault, abi: erc4626Abi, functionName: 'maxDeposit', args: [receiver] }),
        client.readContract({ address: vault, abi: erc4626Abi, functionName: 'previewDeposit', args: [amount] }),
        client.readContract({ address: asset, abi: erc20Abi, functionName: 'symbol' }),
        client.readContract({ address: asset, abi: erc20Abi, functionName: 'decimals' }),
      ])
      if (balance < amount)
        throw new AdapterPreconditionError(
          ID,
          `wallet holds ${balance} ${assetSymbol}, needs ${amount}`,
          'fund the wallet or deposit less',
        )
      if (amount > maxDeposit)
        throw new AdapterPreconditionError(ID, `vault ${symbol} accepts at most ${maxDeposit} now`, 'deposit less')
      // Zero shares for a positive deposit means the share price was inflated (donation attack) or dust: refuse.
      if (shares === 0n)
        throw new AdapterPreconditionError(
          ID,
          `depositing ${amount} ${assetSymbol} would mint 0 ${symbol} shares`,
          'deposit more or check the vault',
        )
      const approvals = await approvalCalls(
        ctx,
        p.chainId,
        { symbol: assetSymbol, address: asset, decimals },
        vault,
        symbol,
        amount,
      )
      return [
        ...approvals,
        {
          chainId: p.chainId,
          to: vault,
          value: 0n,
          label: `deposit ${amount} ${assetSymbol} into ${symbol} (~${shares} shares)`,
          data: encodeFunctionData({ abi: erc4626Abi, functionName: 'deposit', args: [amount, receiver] }),
        },
      ]
    }
    if (p.action === 'withdraw') {
      const max = await client.readContract({
        address: vault,
        abi: erc4626Abi,
        functionName: 'maxWithdraw',
        args: [ctx.wallet],
      })
      const amount = p.amount === 'max' ? max : p.amount
      if (amount === 0n || amount > max)
        throw new AdapterPreconditionError(
          ID,
          `can withdraw at most ${max} assets from ${symbol}, asked ${amount}`,
          'withdraw less',
        )
      return [
        {
          chainId: p.chainId,
          to: vault,
          value: 0n,
          label: `withdraw ${amount} assets from ${symbol}`,
          data: encodeFunctionData({ abi: erc4626Abi, functionName: 'withdraw', args: [amount, receiver, ctx.wallet] }),
        },
      ]
    }
    const max = await client.readContract({
      address: vault,
      abi: erc4626Abi,
      functionName: 'maxRedeem',
      args: [ctx.wallet],
    })
    const shares = p.amount === 'max' ? max : p.amount
    if (shares === 0n || shares > max)
      throw new AdapterPreconditionError(
        ID,
        `can redeem at most ${max} ${symbol} shares, asked ${shares}`,
        'redeem less',
      )
    return [
      {
        chainId: p.chainId,
        to: vault,
        value: 0n,
        label: `redeem ${shares} ${symbol} shares`,
        data: encodeFunctionData({ abi: erc4626Abi, functionName: 'redeem', args: [shares, receiver, ctx.wallet] }),
      },
    ]
  },
})
