// Uniswap v2 exact-input swaps (ETH->token, token->ETH, token->token) with a quoted, slippage-bounded minOut and a deadline.
import { encodeFunctionData, zeroAddress, type Address } from 'viem'
import { z } from 'zod'
import { approvalCalls, tokenBalance } from '../shared/approval.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { addressSchema, amountSchema, chainIdSchema, slippageBpsSchema, tokenSymbolSchema } from '../shared/params.ts'
import { NATIVE, requireOwnWallet, resolveChain, resolveContract, resolveToken } from '../shared/resolve.ts'
import { formatAmount } from '../shared/amount.ts'
import { tokenAmountIn } from '../shared/amount-fields.ts'
import { defineAdapter, type Call, type ReadContext } from '../types.ts'
import { factoryAbi, routerAbi } from './abi.ts'

const ID = 'uniswap-v2'

/** Swap params: amounts in base units of `tokenIn`; tokens by address-book symbol, "ETH" for the native coin. */
export const uniswapV2Params = z
  .object({
    chainId: chainIdSchema,
    tokenIn: tokenSymbolSchema,
    tokenOut: tokenSymbolSchema,
    amountIn: amountSchema,
    /** Largest accepted shortfall of the output against the quote, in bps (1..5000). */
    slippageBps: slippageBpsSchema,
    /** The swap reverts if mined later than this many seconds after the calls were built. */
    deadlineSeconds: z.number().int().min(30).max(3_600).default(600),
    /** Who receives the output; must be one of the operator's wallets. Default: the sending wallet. */
    recipient: addressSchema.optional(),
  })
  .refine((p) => p.tokenIn !== p.tokenOut, { message: 'tokenIn and tokenOut must differ', path: ['tokenOut'] })

export type UniswapV2Params = z.output<typeof uniswapV2Params>

/** A quote: the route, the expected output and the minimum the swap call will accept. */
export interface SwapQuote {
  router: Address
  path: Address[]
  amountOut: bigint
  minOut: bigint
}

/** Quotes a swap with getAmountsOut and derives minOut = quote * (1 - slippage); a minOut of 0 is refused. */
export async function quoteUniswapV2(ctx: ReadContext, p: UniswapV2Params): Promise<SwapQuote> {
  const book = resolveChain(ID, ctx, p.chainId)
  const router = resolveContract(ID, book, 'uniswapV2Router02')
  const tokenIn = resolveToken(ID, book, p.tokenIn, 'tokenIn')
  const tokenOut = resolveToken(ID, book, p.tokenOut, 'tokenOut')
  const client = ctx.client(p.chainId)
  const weth =
    book.contracts.weth ?? (await client.readContract({ address: router, abi: routerAbi, functionName: 'WETH' }))
  const a = tokenIn === NATIVE ? weth : tokenIn.address
  const b = tokenOut === NATIVE ? weth : tokenOut.address
  let path: Address[] = [a, b]
  if (tokenIn !== NATIVE && tokenOut !== NATIVE) {
    // Token->token goes direct when a pair exists, else through WETH (the deepest pools on any v2 fork).
    const factory =
      book.contracts.uniswapV2Factory ??
      (await client.readContract({ address: router, abi: routerAbi, functionName: 'factory' }))
    const pair = await client.readContract({ address: factory, abi: factoryAbi, functionName: 'getPair', args: [a, b] })
    if (pair === zeroAddress) path = [a, weth, b]
  }
  let amounts: readonly bigint[]
  try {
    amounts = await client.readContract({
      address: router,
      abi: routerAbi,
      functionName: 'getAmountsOut',
      args: [p.amountIn, path],
    })
  } catch (err) {
    throw new AdapterPreconditionError(
      ID,
      `no quote for ${p.tokenIn}->${p.tokenOut} on chain ${p.chainId}: ${(err as Error).message.split('\n')[0]}`,
      'check that the pool exists and has liquidity',
    )
  }
  const amountOut = amounts[amounts.length - 1] ?? 0n
  const minOut = (amountOut * BigInt(10_000 - p.slippageBps)) / 10_000n
  if (minOut <= 0n) {
    throw new AdapterPreconditionError(
      ID,
      `quote for ${p.amountIn} ${p.tokenIn} gives a minimum output of 0 ${p.tokenOut}`,
      'swap a larger amount',
    )
  }
  return { router, path, amountOut, minOut }
}

export const uniswapV2Adapter = defineAdapter<UniswapV2Params>({
  id: ID,
  kind: 'swap',
  description:
    'Uniswap v2 exact-input swap (ETH<->token, token->token) with quoted minOut, slippage bound and deadline',
  params: uniswapV2Params,
  amounts: { amountIn: (p) => tokenAmountIn(p.chainId, p.tokenIn) },
  async buildCalls(ctx, p) {
    const book = resolveChain(ID, ctx, p.chainId)
    const tokenIn = resolveToken(ID, book, p.tokenIn, 'tokenIn')
    const to = requireOwnWallet(ID, ctx, p.recipient ?? ctx.wallet, 'recipient')
    const q = await quoteUniswapV2(ctx, p)
    const client = ctx.client(p.chainId)
    const balance =
      tokenIn === NATIVE
        ? await client.getBalance({ address: ctx.wallet })
        : await tokenBalance(ctx, p.chainId, tokenIn.address, ctx.wallet)
    if (balance < p.amountIn) {
      throw new AdapterPreconditionError(
        ID,
        `wallet holds ${balance} ${p.tokenIn}, needs ${p.amountIn}`,
        'fund the wallet or swap less',
      )
    }
    const deadline = BigInt(Math.floor(ctx.clock.now() / 1000) + p.deadlineSeconds)
    const outInfo = resolveToken(ID, book, p.tokenOut, 'tokenOut')
    const fmt = (v: bigint, t: typeof outInfo) =>
      t === NATIVE ? formatAmount(v, 18, NATIVE) : formatAmount(v, t.decimals, t.symbol)
    const label = `swap ${fmt(p.amountIn, tokenIn)} for >= ${fmt(q.minOut, outInfo)} (quote ${fmt(q.amountOut, outInfo)} = ${q.amountOut} wei)`
    if (tokenIn === NATIVE) {
      return [
        {
          chainId: p.chainId,
          to: q.router,
          value: p.amountIn,
          label,
          data: encodeFunctionData({
            abi: routerAbi,
            functionName: 'swapExactETHForTokens',
            args: [q.minOut, q.path, to, deadline],
          }),
        },
      ]
    }
    const calls: Call[] = await approvalCalls(ctx, p.chainId, tokenIn, q.router, 'UniswapV2Router02', p.amountIn)
    const fn = p.tokenOut === NATIVE ? 'swapExactTokensForETH' : 'swapExactTokensForTokens'
    calls.push({
      chainId: p.chainId,
      to: q.router,
      value: 0n,
      label,
      data: encodeFunctionData({
        abi: routerAbi,
        functionName: fn,
        args: [p.amountIn, q.minOut, q.path, to, deadline],
      }),
    })
    return calls
  },
})
