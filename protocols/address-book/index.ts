// The built-in address book for real chains, merged with per-chain config overrides, plus reverse lookups for reports.
import { getAddress, isAddressEqual, type Address } from 'viem'
import type { AddressBook, ChainBook, TokenInfo } from '../types.ts'
import { BUILTIN_BOOK_DATA } from './builtin-data.ts'
import type { BuiltinChainData } from './builtin-types.ts'

export type { BuiltinChainData } from './builtin-types.ts'

/** What config may add to or override in one chain's book: tokens by symbol, contracts and feeds by name. */
export interface ChainBookOverrides {
  tokens?: Record<string, { address: string; decimals: number }>
  contracts?: Record<string, string>
  priceFeeds?: Record<string, string>
  vaults?: Record<string, string>
  parentChainId?: number
}

/** Chain ids the built-in book covers (Ethereum, OP Mainnet, Base, Arbitrum One, Sepolia). */
export function builtinChainIds(): number[] {
  return Object.keys(BUILTIN_BOOK_DATA).map(Number)
}

/** The generated entry of one chain, with each address's source; undefined for a chain the book does not cover. */
export function builtinChainData(chainId: number): BuiltinChainData | undefined {
  return BUILTIN_BOOK_DATA[chainId]
}

const pick = <V, T>(rec: Record<string, V>, f: (name: string, v: V) => T): Record<string, T> =>
  Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, f(k, v)]))

/**
 * One chain's adapter book: the built-in entries (if the chain is covered), then the overrides on top.
 * An override replaces the built-in entry of the same symbol or name; new ones are added.
 */
export function chainBook(chainId: number, overrides: ChainBookOverrides = {}): ChainBook {
  const data = BUILTIN_BOOK_DATA[chainId]
  const tokens: Record<string, TokenInfo> = data
    ? pick(data.tokens, (symbol, t) => ({ symbol, address: getAddress(t.address), decimals: t.decimals }))
    : {}
  for (const [symbol, t] of Object.entries(overrides.tokens ?? {}))
    tokens[symbol] = { symbol, address: getAddress(t.address), decimals: t.decimals }
  const addresses = (
    base: Record<string, { address: string }> | undefined,
    extra: Record<string, string> | undefined,
  ) =>
    ({
      ...(base ? pick(base, (_n, v) => getAddress(v.address)) : {}),
      ...Object.fromEntries(Object.entries(extra ?? {}).map(([k, v]) => [k, getAddress(v)])),
    }) as Record<string, Address>
  const book: ChainBook = {
    chainId,
    tokens,
    contracts: addresses(data?.contracts, overrides.contracts),
    priceFeeds: addresses(data?.priceFeeds, overrides.priceFeeds),
    vaults: addresses(undefined, overrides.vaults),
  }
  const parent = overrides.parentChainId ?? data?.parentChainId
  if (parent !== undefined) book.parentChainId = parent
  return book
}

/** The address book for a set of configured chains: built-in entries plus each chain's overrides. */
export function createAddressBook(chains: ReadonlyArray<{ id: number; book?: ChainBookOverrides }>): AddressBook {
  return Object.fromEntries(chains.map((c) => [c.id, chainBook(c.id, c.book)]))
}

/** The book's name for an address on a chain: a contract name, a token symbol, a vault or a feed; undefined if unknown. */
export function nameOfAddress(book: AddressBook, chainId: number, address: string): string | undefined {
  const entry = book[chainId]
  if (!entry) return undefined
  const eq = (a: string) => isAddressEqual(a as Address, address as Address)
  const token = Object.values(entry.tokens).find((t) => eq(t.address))
  if (token) return token.symbol
  for (const rec of [entry.contracts, entry.vaults ?? {}, entry.priceFeeds ?? {}]) {
    const hit = Object.entries(rec).find(([, a]) => eq(a))
    if (hit) return hit[0]
  }
  return undefined
}

/** The token of the book at an address, if any (for formatting amounts with symbol and decimals). */
export function tokenAt(book: AddressBook, chainId: number, address: string): TokenInfo | undefined {
  return Object.values(book[chainId]?.tokens ?? {}).find((t) => isAddressEqual(t.address, address as Address))
}

/** The block explorer of a built-in real chain (from viem/chains); undefined for devnets and unknown chains. */
export function explorerUrl(chainId: number): string | undefined {
  return BUILTIN_BOOK_DATA[chainId]?.explorer || undefined
}

/** A link to a transaction on the chain's block explorer, or undefined where there is none. */
export function explorerTxUrl(chainId: number, hash: string): string | undefined {
  const base = explorerUrl(chainId)
  return base ? `${base}/tx/${hash}` : undefined
}
