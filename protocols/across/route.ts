// Resolves an Across deposit against the address book (chains, SpokePools, tokens, recipient) without any RPC.
import type { Address } from 'viem'
import { paramError } from '../shared/errors.ts'
import {
  NATIVE,
  requireOwnWallet,
  resolveChain,
  resolveContract,
  resolveReadOnlyContract,
  resolveToken,
} from '../shared/resolve.ts'
import type { ReadContext, TokenInfo } from '../types.ts'

export const ID = 'across'

/** The fields of the params a route depends on. */
export interface RouteParams {
  fromChainId: number
  toChainId: number
  token: string
  to?: Address
}

/** A deposit route: both SpokePools, the token on each side (WETH for ETH), and the own-wallet recipient. */
export interface AcrossRoute {
  originPool: Address
  destPool: Address
  /** ETH in: the SpokePool wraps msg.value; WETH out: the SpokePool unwraps and pays native ETH. */
  native: boolean
  inputToken: TokenInfo
  outputToken: TokenInfo
  to: Address
}

/**
 * A route exists when both chains are in the book with `contracts.acrossSpokePool` and the token is known on both
 * with the same decimals (the output amount is computed in input units). Anything else is a ValidationError
 * naming the field, before any RPC.
 */
export function resolveAcrossRoute(ctx: ReadContext, p: RouteParams): AcrossRoute {
  const origin = resolveChain(ID, ctx, p.fromChainId, 'fromChainId')
  const dest = resolveChain(ID, ctx, p.toChainId, 'toChainId')
  const originPool = resolveContract(ID, origin, 'acrossSpokePool', 'fromChainId')
  const destPool = resolveContract(ID, dest, 'acrossSpokePool', 'toChainId')
  const to = requireOwnWallet(ID, ctx, p.to ?? ctx.wallet, 'to')
  const side = (book: typeof origin): TokenInfo => {
    const t = resolveToken(ID, book, p.token, 'token')
    if (t !== NATIVE) return t
    // ETH goes to the SpokePool as value: WETH is only named in the deposit, never called.
    return { symbol: 'WETH', address: resolveReadOnlyContract(ID, book, 'weth', 'token'), decimals: 18 }
  }
  const inputToken = side(origin)
  const outputToken = side(dest)
  if (inputToken.decimals !== outputToken.decimals) {
    throw paramError(
      ID,
      'token',
      `${p.token} has ${inputToken.decimals} decimals on chain ${p.fromChainId} but ${outputToken.decimals} on chain ${p.toChainId}`,
      'bridge a token with the same decimals on both chains',
    )
  }
  return { originPool, destPool, native: p.token === NATIVE, inputToken, outputToken, to }
}
