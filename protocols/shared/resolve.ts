// Resolves validated params against the address book (chains, tokens, contracts, own wallets) without any RPC call.
import { isAddressEqual, type Address } from 'viem'
import type { ChainBook, ReadContext, TokenInfo } from '../types.ts'
import { paramError } from './errors.ts'

/** The native coin's reserved symbol. */
export const NATIVE = 'ETH'

/** The chain's address book entry, or a ValidationError naming the chains that are configured. */
export function resolveChain(adapterId: string, ctx: ReadContext, chainId: number, path = 'chainId'): ChainBook {
  const book = ctx.book[chainId]
  if (!book) {
    const known = Object.keys(ctx.book).join(', ') || 'none'
    throw paramError(
      adapterId,
      path,
      `chain ${chainId} is not in the address book (configured: ${known})`,
      'use a configured chain id',
    )
  }
  return book
}

/** A token by symbol: "ETH" for the native coin, else the book's ERC-20; unknown symbols are a ValidationError. */
export function resolveToken(
  adapterId: string,
  book: ChainBook,
  symbol: string,
  path: string,
): typeof NATIVE | TokenInfo {
  if (symbol === NATIVE) return NATIVE
  const token = book.tokens[symbol]
  if (!token) {
    const known = [NATIVE, ...Object.keys(book.tokens)].join(', ')
    throw paramError(
      adapterId,
      path,
      `unknown token "${symbol}" on chain ${book.chainId} (known: ${known})`,
      'add it to the address book or fix the symbol',
    )
  }
  return token
}

/** A hook a plan check puts on a ChainBook to learn which named contracts an adapter resolves (no RPC involved). */
export const CALL_TARGET: unique symbol = Symbol('callTarget')

/** A named contract from the book that calls are sent to, or a ValidationError saying the protocol is not deployed on that chain. */
export function resolveContract(adapterId: string, book: ChainBook, name: string, path = 'chainId'): Address {
  const address = resolveReadOnlyContract(adapterId, book, name, path)
  ;(book as { [CALL_TARGET]?: (name: string, address: Address) => void })[CALL_TARGET]?.(name, address)
  return address
}

/**
 * A named contract the adapter only reads (a quoter, a factory) or only names in calldata (WETH as a bridge's
 * token): the same lookup and error as resolveContract, but never reported to a plan check as a call target.
 */
export function resolveReadOnlyContract(adapterId: string, book: ChainBook, name: string, path = 'chainId'): Address {
  const address = book.contracts[name]
  if (!address) {
    throw paramError(
      adapterId,
      path,
      `no ${name} configured on chain ${book.chainId}`,
      `add contracts.${name} for chain ${book.chainId} or pick another chain`,
    )
  }
  return address
}

/** Fails closed unless `address` is one of the operator's own wallets (top-ups and bridges never pay strangers). */
export function requireOwnWallet(adapterId: string, ctx: ReadContext, address: Address, path: string): Address {
  if (!ctx.ownWallets.some((w) => isAddressEqual(w, address))) {
    throw paramError(
      adapterId,
      path,
      `${address} is not one of the operator's own wallets`,
      'list the wallet in config or pick an own wallet',
    )
  }
  return address
}
