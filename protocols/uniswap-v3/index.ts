// Uniswap V3 exact-input swaps through SwapRouter02 (one pool or a multi-hop path), quoted by QuoterV2, with ETH wrap/unwrap.
import { encodeFunctionData, type Hex } from 'viem'
import { approvalCalls, tokenBalance } from '../shared/approval.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { NATIVE, requireOwnWallet } from '../shared/resolve.ts'
import { formatAmount } from '../shared/amount.ts'
import { tokenAmountIn } from '../shared/amount-fields.ts'
import { defineAdapter, type Call, type TokenInfo } from '../types.ts'
import { ROUTER_ADDRESS_THIS, swapRouter02Abi } from './abi.ts'
import { ID, quoteUniswapV3, resolveRoute, uniswapV3Params, type UniswapV3Params } from './quote.ts'

export { packPath, quoteUniswapV3, type UniswapV3Params } from './quote.ts'

export const uniswapV3Adapter = defineAdapter<UniswapV3Params>({
  id: ID,
  kind: 'swap',
  description:
    'Uniswap V3 exact-input swap (one pool or multi-hop, ETH in/out) via SwapRouter02, QuoterV2 minOut, slippage bound and deadline',
  params: uniswapV3Params,
  amounts: { amountIn: (p) => tokenAmountIn(p.chainId, p.tokenIn) },
  async buildCalls(ctx, p) {
    // Address book first: wrong chain, unknown token or a stranger recipient fails before any RPC.
    const { tokenIn, tokenOut } = resolveRoute(ctx, p)
    const to = requireOwnWallet(ID, ctx, p.recipient ?? ctx.wallet, 'recipient')
    const q = await quoteUniswapV3(ctx, p)
    const balance =
      tokenIn === NATIVE
        ? await ctx.client(p.chainId).getBalance({ address: ctx.wallet })
        : await tokenBalance(ctx, p.chainId, tokenIn.address, ctx.wallet)
    if (balance < p.amountIn) {
      throw new AdapterPreconditionError(
        ID,
        `wallet holds ${balance} ${p.tokenIn}, needs ${p.amountIn}`,
        'fund the wallet or swap less',
      )
    }
    // ETH out: the router keeps the WETH and unwrapWETH9 pays the recipient, checking the same minimum again.
    const unwrap = tokenOut === NATIVE
    const swapTo = unwrap ? ROUTER_ADDRESS_THIS : to
    const swap =
      q.fees.length === 1
        ? encodeFunctionData({
            abi: swapRouter02Abi,
            functionName: 'exactInputSingle',
            args: [
              {
                tokenIn: q.tokens[0]!,
                tokenOut: q.tokens[1]!,
                fee: q.fees[0]!,
                recipient: swapTo,
                amountIn: p.amountIn,
                amountOutMinimum: q.minOut,
                sqrtPriceLimitX96: 0n,
              },
            ],
          })
        : encodeFunctionData({
            abi: swapRouter02Abi,
            functionName: 'exactInput',
            args: [{ path: q.path, recipient: swapTo, amountIn: p.amountIn, amountOutMinimum: q.minOut }],
          })
    const inner: Hex[] = [swap]
    if (unwrap)
      inner.push(encodeFunctionData({ abi: swapRouter02Abi, functionName: 'unwrapWETH9', args: [q.minOut, to] }))
    // ETH in: the router wraps msg.value; refundETH returns anything it did not use instead of leaving it there.
    if (tokenIn === NATIVE) inner.push(encodeFunctionData({ abi: swapRouter02Abi, functionName: 'refundETH' }))
    const deadline = BigInt(Math.floor(ctx.clock.now() / 1000) + p.deadlineSeconds)
    const route = [p.tokenIn, ...p.via, p.tokenOut].join('->')
    const fmt = (v: bigint, t: TokenInfo | typeof NATIVE) =>
      t === NATIVE ? formatAmount(v, 18, NATIVE) : formatAmount(v, t.decimals, t.symbol)
    const label = `swap ${fmt(p.amountIn, tokenIn)} for >= ${fmt(q.minOut, tokenOut)} (quote ${fmt(q.amountOut, tokenOut)} = ${q.amountOut} wei) on Uniswap V3 ${route} fee ${q.fees.join('/')}`
    const calls: Call[] =
      tokenIn === NATIVE ? [] : await approvalCalls(ctx, p.chainId, tokenIn, q.router, 'SwapRouter02', p.amountIn)
    calls.push({
      chainId: p.chainId,
      to: q.router,
      value: tokenIn === NATIVE ? p.amountIn : 0n,
      label,
      data: encodeFunctionData({ abi: swapRouter02Abi, functionName: 'multicall', args: [deadline, inner] }),
    })
    return calls
  },
})
