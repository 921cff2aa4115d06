// Shape of the generated built-in address book: every address carries the package (or page) it comes from.

/** An address and its source. */
export interface SourcedAddressData {
  address: string
  source: string
}

/** A token with decimals; `name` is the token list's display name. */
export interface SourcedTokenData extends SourcedAddressData {
  decimals: number
  name: string
}

/** One chain of the built-in book. */
export interface BuiltinChainData {
  chainId: number
  name: string
  nativeSymbol: string
  /** Block explorer base URL (from viem/chains), e.g. https://etherscan.io. */
  explorer: string
  testnet: boolean
  /** For an OP-Stack L2: its L1. */
  parentChainId?: number
  tokens: Record<string, SourcedTokenData>
  contracts: Record<string, SourcedAddressData>
  priceFeeds: Record<string, SourcedAddressData>
  /** Entries no package used here publishes, with where to find them. */
  missing: Array<{ name: string; source: string }>
}
