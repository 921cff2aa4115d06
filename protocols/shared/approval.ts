// Builds the exact ERC-20 approval a spending call needs, only when the current allowance is short.
import { encodeFunctionData, type Address } from 'viem'
import type { Call, ReadContext, TokenInfo } from '../types.ts'
import { formatAmount } from './amount.ts'
import { erc20Abi } from './erc20-abi.ts'

/**
 * Returns [] when `spender` may already spend `amount`; otherwise an approval of exactly `amount` (never unlimited),
 * preceded by a reset to 0 when a non-zero allowance exists (USDT-style tokens refuse non-zero to non-zero).
 */
export async function approvalCalls(
  ctx: ReadContext,
  chainId: number,
  token: TokenInfo,
  spender: Address,
  spenderName: string,
  amount: bigint,
): Promise<Call[]> {
  const allowance = await ctx.client(chainId).readContract({
    address: token.address,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [ctx.wallet, spender],
  })
  if (allowance >= amount) return []
  const approve = (value: bigint, label: string): Call => ({
    chainId,
    to: token.address,
    value: 0n,
    label,
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, value] }),
  })
  const calls: Call[] = []
  if (allowance > 0n) calls.push(approve(0n, `reset ${token.symbol} allowance of ${spenderName} to 0`))
  calls.push(approve(amount, `approve ${formatAmount(amount, token.decimals, token.symbol)} to ${spenderName}`))
  return calls
}

/** Reads an ERC-20 balance. */
export async function tokenBalance(
  ctx: ReadContext,
  chainId: number,
  token: Address,
  owner: Address,
  blockNumber?: bigint,
): Promise<bigint> {
  return ctx
    .client(chainId)
    .readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner], blockNumber })
}
