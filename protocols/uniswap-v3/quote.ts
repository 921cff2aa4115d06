// Uniswap V3 route resolution and QuoterV2 quotes: pools checked on the factory, fee tiers given or picked by the best quote.
import { BaseError, ContractFunctionRevertedError, encodePacked, zeroAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { AdapterPreconditionError, paramError } from '../shared/errors.ts'
import { addressSchema, amountSchema, chainIdSchema, slippageBpsSchema, tokenSymbolSchema } from '../shared/params.ts'
import { NATIVE, resolveChain, resolveContract, resolveReadOnlyContract, resolveToken } from '../shared/resolve.ts'
import type { ReadContext, TokenInfo } from '../types.ts'
import { quoterV2Abi, swapRouter02Abi, v3FactoryAbi } from './abi.ts'

export const ID = 'uniswap-v3'

/** The fee tiers Uniswap V3 factories enable, in hundredths of a bip (100 = 0.01%). */
export const FEE_TIERS = [100, 500, 3000, 10000] as const
export type FeeTier = (typeof FEE_TIERS)[number]

const feeTierSchema = z
  .number()
  .refine(
    (v): v is FeeTier => (FEE_TIERS as readonly number[]).includes(v),
    `must be a Uniswap V3 fee tier: ${FEE_TIERS.join(', ')} (hundredths of a bip, 500 = 0.05%)`,
  )

/**
 * Swap params: tokens by address-book symbol, "ETH" for the native coin. `amountIn` arrives in base units of
 * `tokenIn`: the registry converts token units ("0.2") before this schema runs (see the adapter's `amounts`).
 */
export const uniswapV3Params = z
  .object({
    chainId: chainIdSchema,
    tokenIn: tokenSymbolSchema,
    tokenOut: tokenSymbolSchema,
    amountIn: amountSchema,
    /** Largest accepted shortfall of the output against the QuoterV2 quote, in bps (1..5000). */
    slippageBps: slippageBpsSchema,
    /** The router's multicall reverts if mined later than this many seconds after the calls were built. */
    deadlineSeconds: z.number().int().min(30).max(3_600).default(600),
    /** Who receives the output; must be one of the operator's wallets. Default: the sending wallet. */
    recipient: addressSchema.optional(),
    /** Intermediate ERC-20 symbols of a multi-hop path (tokenIn -> via... -> tokenOut); empty for one pool. */
    via: z.array(tokenSymbolSchema).max(2).default([]),
    /** One fee tier (single pool) or one per hop; absent: every hop takes the tier with the best quote. */
    fee: z.union([feeTierSchema, z.array(feeTierSchema).min(1).max(3)]).optional(),
  })
  .superRefine((p, c) => {
    const hops = p.via.length + 1
    const chain = [p.tokenIn, ...p.via, p.tokenOut].map((s) => (s === NATIVE ? 'WETH' : s))
    if (p.tokenIn === p.tokenOut)
      c.addIssue({ code: 'custom', path: ['tokenOut'], message: 'tokenIn and tokenOut must differ' })
    chain.forEach((s, i) => {
      if (i > 0 && s === chain[i - 1])
        c.addIssue({
          code: 'custom',
          path: [i <= p.via.length ? 'via' : 'tokenOut'],
          message: `hop ${i} swaps ${s} for itself (ETH trades as WETH)`,
        })
    })
    if (p.via.includes(NATIVE))
      c.addIssue({ code: 'custom', path: ['via'], message: 'intermediate tokens are ERC-20s: use WETH, not ETH' })
    if (typeof p.fee === 'number' && hops > 1)
      c.addIssue({
        code: 'custom',
        path: ['fee'],
        message: `a ${hops}-hop path needs one fee tier per hop, e.g. [${Array(hops).fill(500).join(', ')}]`,
      })
    if (Array.isArray(p.fee) && p.fee.length !== hops)
      c.addIssue({
        code: 'custom',
        path: ['fee'],
        message: `${p.fee.length} fee tiers for a ${hops}-hop path: give one per hop`,
      })
  })

export type UniswapV3Params = z.output<typeof uniswapV3Params>

/** A quote: the route, the expected output, the minimum the swap will accept, and every route that was quoted. */
export interface V3Quote {
  router: Address
  /** Token addresses along the route (ETH as WETH). */
  tokens: Address[]
  fees: FeeTier[]
  /** The packed V3 path: token, fee, token, fee, token... */
  path: Hex
  amountOut: bigint
  minOut: bigint
  candidates: { fees: FeeTier[]; amountOut: bigint | null }[]
}

/** The contracts and tokens the route needs, from the address book only (no RPC): a ValidationError on any gap. */
export function resolveRoute(ctx: ReadContext, p: UniswapV3Params) {
  const book = resolveChain(ID, ctx, p.chainId)
  const router = resolveContract(ID, book, 'swapRouter02')
  // Only read (eth_call): a plan check asks for the router alone in the allowlist.
  const quoter = resolveReadOnlyContract(ID, book, 'quoterV2')
  const factory = resolveReadOnlyContract(ID, book, 'uniswapV3Factory')
  const tokenIn = resolveToken(ID, book, p.tokenIn, 'tokenIn')
  const via = p.via.map((s, i) => resolveToken(ID, book, s, `via.${i}`) as TokenInfo)
  const tokenOut = resolveToken(ID, book, p.tokenOut, 'tokenOut')
  return { book, router, quoter, factory, tokenIn, via, tokenOut }
}

/**
 * Quotes the swap with QuoterV2. Every hop's pool must exist on the factory (else a ValidationError naming the
 * field); without a given fee, every deployed tier of every hop is quoted and the best output wins. minOut is
 * quote * (1 - slippage); a minOut of 0 is refused.
 */
export async function quoteUniswapV3(ctx: ReadContext, p: UniswapV3Params): Promise<V3Quote> {
  const r = resolveRoute(ctx, p)
  const client = ctx.client(p.chainId)
  const weth =
    r.book.contracts.weth ??
    (await client.readContract({ address: r.router, abi: swapRouter02Abi, functionName: 'WETH9' }))
  const symbols = [p.tokenIn, ...p.via, p.tokenOut]
  const tokens = [r.tokenIn, ...r.via, r.tokenOut].map((t) => (t === NATIVE ? weth : t.address))
  const given = typeof p.fee === 'number' ? [p.fee] : p.fee
  const tiersPerHop = await Promise.all(
    tokens.slice(1).map(async (b, i) => {
      const a = tokens[i]!
      const tiers = given ? [given[i]!] : [...FEE_TIERS]
      const pools = await Promise.all(
        tiers.map((fee) =>
          client.readContract({ address: r.factory, abi: v3FactoryAbi, functionName: 'getPool', args: [a, b, fee] }),
        ),
      )
      const deployed = tiers.filter((_, k) => pools[k] !== zeroAddress)
      if (deployed.length === 0) {
        const field = given ? (typeof p.fee === 'number' ? 'fee' : `fee.${i}`) : p.via.length > 0 ? 'via' : 'tokenOut'
        throw paramError(
          ID,
          field,
          `no Uniswap V3 pool for ${symbols[i]}/${symbols[i + 1]}${given ? ` with fee ${given[i]}` : ''} on chain ${p.chainId}`,
          given
            ? 'pick a fee tier that has a pool, or leave fee out to use the best deployed tier'
            : 'route through a token that has pools on both sides (via)',
        )
      }
      return deployed
    }),
  )
  const combos = tiersPerHop.reduce<FeeTier[][]>((acc, tiers) => acc.flatMap((c) => tiers.map((t) => [...c, t])), [[]])
  const candidates = await Promise.all(
    combos.map(async (fees) => {
      const path = packPath(tokens, fees)
      try {
        const { result } = await client.simulateContract({
          address: r.quoter,
          abi: quoterV2Abi,
          functionName: 'quoteExactInput',
          args: [path, p.amountIn],
        })
        return { fees, path, amountOut: result[0] }
      } catch (err) {
        // An empty or too-shallow pool makes the quoter revert: that route has no quote. Anything else (RPC down,
        // timeout) is not a fact about the route, so it propagates and the job can retry.
        if (err instanceof BaseError && err.walk((e) => e instanceof ContractFunctionRevertedError))
          return { fees, path, amountOut: null }
        throw err
      }
    }),
  )
  const best = candidates.reduce<(typeof candidates)[number] | undefined>(
    (b, c) => (c.amountOut !== null && (!b || c.amountOut > b.amountOut!) ? c : b),
    undefined,
  )
  if (!best || !best.amountOut) {
    throw new AdapterPreconditionError(
      ID,
      `no quote for ${p.amountIn} ${symbols.join('->')} on chain ${p.chainId} (tiers tried: ${combos.map((c) => c.join('/')).join(', ')})`,
      'check that the pools have liquidity, or swap less',
    )
  }
  const minOut = (best.amountOut * BigInt(10_000 - p.slippageBps)) / 10_000n
  if (minOut <= 0n) {
    throw new AdapterPreconditionError(
      ID,
      `quote for ${p.amountIn} ${p.tokenIn} gives a minimum output of 0 ${p.tokenOut}`,
      'swap a larger amount',
    )
  }
  return {
    router: r.router,
    tokens,
    fees: best.fees,
    path: best.path,
    amountOut: best.amountOut,
    minOut,
    candidates: candidates.map((c) => ({ fees: c.fees, amountOut: c.amountOut })),
  }
}

/** The packed V3 path: token0 (20 bytes), fee (3 bytes), token1, fee, ... */
export function packPath(tokens: readonly Address[], fees: readonly FeeTier[]): Hex {
  const types: ('address' | 'uint24')[] = []
  const values: (Address | number)[] = []
  tokens.forEach((t, i) => {
    if (i > 0) {
      types.push('uint24')
      values.push(fees[i - 1]!)
    }
    types.push('address')
    values.push(t)
  })
  return encodePacked(types, values)
}
