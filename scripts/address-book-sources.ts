// Builds the built-in real-chain address book from the packages that publish the addresses (never from memory).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { getAddress, type Chain } from 'viem'
import { arbitrum, base, mainnet, optimism, sepolia } from 'viem/chains'
import * as aave from '@bgd-labs/aave-address-book'
import tokenList from '@uniswap/default-token-list' with { type: 'json' }

// @uniswap/sdk-core's ESM build has extensionless imports Node cannot resolve; its CommonJS build works.
const uniswap = createRequire(import.meta.url)('@uniswap/sdk-core') as {
  CHAIN_TO_ADDRESSES_MAP: Record<number, Record<string, string | undefined>>
  V2_FACTORY_ADDRESSES: Record<number, string>
  V2_ROUTER_ADDRESSES: Record<number, string>
  SWAP_ROUTER_02_ADDRESSES(chainId: number): string
  WETH9: Record<number, { address: string }>
}

/** One address and the package (or page) it comes from. */
export interface SourcedAddress {
  address: string
  source: string
}

/** A token with its decimals and where they come from. */
export interface SourcedToken extends SourcedAddress {
  decimals: number
  name: string
}

/** An entry no package used here publishes: what it is and where an operator can find it. */
export interface MissingEntry {
  name: string
  source: string
}

/** The built-in book of one chain, as generated. */
export interface BuiltinChain {
  chainId: number
  name: string
  nativeSymbol: string
  explorer: string
  testnet: boolean
  parentChainId?: number
  tokens: Record<string, SourcedToken>
  contracts: Record<string, SourcedAddress>
  priceFeeds: Record<string, SourcedAddress>
  missing: MissingEntry[]
}

/** The chains the built-in book covers; Optimism and Base are OP-Stack L2s of Ethereum. */
export const BUILTIN_CHAINS: ReadonlyArray<{ chain: Chain; aave: keyof typeof aave; parent?: number }> = [
  { chain: mainnet, aave: 'AaveV3Ethereum' },
  { chain: optimism, aave: 'AaveV3Optimism', parent: 1 },
  { chain: base, aave: 'AaveV3Base', parent: 1 },
  { chain: arbitrum, aave: 'AaveV3Arbitrum' },
  { chain: sepolia, aave: 'AaveV3Sepolia' },
]

/** Token symbols taken from the token list when it has them (bridged USDC variants keep their own symbol). */
const TOKEN_SYMBOLS = ['WETH', 'USDC', 'USDT', 'DAI', 'USDC.e', 'USDbC']
/** Symbols every chain should have; a chain without one says so in `missing`. */
const REQUIRED_TOKENS = ['WETH', 'USDC', 'USDT', 'DAI']

// sdk-core's `quoterAddress` is the first-generation Quoter on chains that share the canonical v3 deployment, and
// QuoterV2 on chains with a later, chain-specific deployment (per Uniswap's v3 deployments page).
const UNISWAP_V3_DEPLOYMENTS = 'https://docs.uniswap.org/contracts/v3/reference/deployments/'
const QUOTER_V1 = '0xb27308f9F90D607463bb33eA1BeBb41C27CE5AB6'

const TOKEN_LIST = '@uniswap/default-token-list'
const SDK = '@uniswap/sdk-core'
const VIEM = 'viem/chains'
const AAVE = '@bgd-labs/aave-address-book'
const ACROSS = '@across-protocol/contracts'

/** Across's published deployments: the SpokePool proxy (what deposits call) per chain id. */
const acrossDeployments = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve(`${ACROSS}/dist/broadcast/deployed-addresses.json`), 'utf8'),
) as { chains: Record<string, { contracts: Record<string, { address: string } | undefined> } | undefined> }

const addr = (a: string) => getAddress(a)

function tokensOf(
  chainId: number,
  testnet: boolean,
  aaveAssets: Record<string, { UNDERLYING: string; decimals: number }>,
  missing: MissingEntry[],
): Record<string, SourcedToken> {
  const out: Record<string, SourcedToken> = {}
  const listed = (
    tokenList as { tokens: Array<{ chainId: number; symbol: string; address: string; decimals: number; name: string }> }
  ).tokens
  for (const symbol of TOKEN_SYMBOLS) {
    const t = listed.find((x) => x.chainId === chainId && x.symbol === symbol)
    if (t) out[symbol] = { address: addr(t.address), decimals: t.decimals, name: t.name, source: TOKEN_LIST }
  }
  for (const symbol of REQUIRED_TOKENS) {
    if (out[symbol]) continue
    // Aave's reserve list is the second source; on testnets these are Aave's faucet tokens, and the source says so.
    const a = aaveAssets[symbol]
    if (a)
      out[symbol] = {
        address: addr(a.UNDERLYING),
        decimals: a.decimals,
        name: symbol,
        source: `${AAVE} (Aave V3 reserve underlying${testnet ? '; a testnet faucet token, not the real one' : ''})`,
      }
    else
      missing.push({
        name: `token ${symbol}`,
        source: `in neither ${TOKEN_LIST} nor ${AAVE}; add it under chains[].book.tokens if needed`,
      })
  }
  return out
}

/** Builds one chain's book from viem/chains, @uniswap/sdk-core, @bgd-labs/aave-address-book, @across-protocol/contracts and the token list. */
export function buildChain(entry: (typeof BUILTIN_CHAINS)[number]): BuiltinChain {
  const { chain } = entry
  const id = chain.id
  const missing: MissingEntry[] = []
  const market = aave[entry.aave] as unknown as {
    POOL: string
    AAVE_PROTOCOL_DATA_PROVIDER: string
    ORACLE: string
    POOL_ADDRESSES_PROVIDER: string
    ASSETS: Record<string, { UNDERLYING: string; decimals: number; ORACLE: string }>
  }
  const contracts: Record<string, SourcedAddress> = {}
  const put = (name: string, address: string | undefined, source: string) => {
    if (address) contracts[name] = { address: addr(address), source }
    else missing.push({ name, source })
  }
  const weth = uniswap.WETH9[id]?.address
  put('weth', weth, `${SDK} WETH9`)
  put('multicall3', chain.contracts?.multicall3?.address, `${VIEM} ${chain.name} contracts.multicall3`)
  const v2 = id in uniswap.V2_FACTORY_ADDRESSES
  put('uniswapV2Factory', v2 ? uniswap.V2_FACTORY_ADDRESSES[id] : undefined, `${SDK} V2_FACTORY_ADDRESSES`)
  put('uniswapV2Router02', v2 ? uniswap.V2_ROUTER_ADDRESSES[id] : undefined, `${SDK} V2_ROUTER_ADDRESSES`)
  const v3 = uniswap.CHAIN_TO_ADDRESSES_MAP[id] ?? {}
  put('uniswapV3Factory', v3.v3CoreFactoryAddress, `${SDK} CHAIN_TO_ADDRESSES_MAP.v3CoreFactoryAddress`)
  put('swapRouter02', uniswap.SWAP_ROUTER_02_ADDRESSES(id), `${SDK} SWAP_ROUTER_02_ADDRESSES`)
  put(
    'nonfungiblePositionManager',
    v3.nonfungiblePositionManagerAddress,
    `${SDK} CHAIN_TO_ADDRESSES_MAP.nonfungiblePositionManagerAddress`,
  )
  const quoter = v3.quoterAddress
  if (quoter && addr(quoter) === addr(QUOTER_V1)) {
    put('quoter', quoter, `${SDK} CHAIN_TO_ADDRESSES_MAP.quoterAddress (first-generation Quoter)`)
    missing.push({
      name: 'quoterV2',
      source: `${SDK} publishes only the first-generation Quoter here; QuoterV2: ${UNISWAP_V3_DEPLOYMENTS}`,
    })
  } else {
    put('quoterV2', quoter, `${SDK} CHAIN_TO_ADDRESSES_MAP.quoterAddress (QuoterV2 deployment)`)
  }
  put('aaveV3Pool', market.POOL, `${AAVE} ${entry.aave}.POOL`)
  put('aaveV3PoolDataProvider', market.AAVE_PROTOCOL_DATA_PROVIDER, `${AAVE} ${entry.aave}.AAVE_PROTOCOL_DATA_PROVIDER`)
  put('aaveV3Oracle', market.ORACLE, `${AAVE} ${entry.aave}.ORACLE`)
  put('aaveV3PoolAddressesProvider', market.POOL_ADDRESSES_PROVIDER, `${AAVE} ${entry.aave}.POOL_ADDRESSES_PROVIDER`)
  put(
    'acrossSpokePool',
    acrossDeployments.chains[id]?.contracts.SpokePool?.address,
    `${ACROSS} dist/broadcast/deployed-addresses.json chains[${id}].contracts.SpokePool`,
  )
  // OP Stack: the L2 side is a predeploy; the L1 side differs per L2, so it is named after the L2's chain id.
  const l2Bridge = chain.contracts?.l2StandardBridge as { address: string } | undefined
  if (l2Bridge) put('l2StandardBridge', l2Bridge.address, `${VIEM} ${chain.name} contracts.l2StandardBridge`)
  for (const l2 of BUILTIN_CHAINS.filter((c) => c.parent === id)) {
    const l1Bridge = (l2.chain.contracts?.l1StandardBridge as Record<number, { address: string }> | undefined)?.[id]
    put(
      `l1StandardBridge.${l2.chain.id}`,
      l1Bridge?.address,
      `${VIEM} ${l2.chain.name} contracts.l1StandardBridge[${id}]`,
    )
    const portal = (l2.chain.contracts?.portal as Record<number, { address: string }> | undefined)?.[id]
    put(`optimismPortal.${l2.chain.id}`, portal?.address, `${VIEM} ${l2.chain.name} contracts.portal[${id}]`)
  }
  const wethAsset = market.ASSETS.WETH
  const priceFeeds: Record<string, SourcedAddress> = {}
  if (wethAsset?.ORACLE) {
    priceFeeds.ETH_USD = {
      address: addr(wethAsset.ORACLE),
      source: `${AAVE} ${entry.aave}.ASSETS.WETH.ORACLE (the AggregatorV3 ETH/USD source Aave V3 prices WETH with)`,
    }
  } else {
    missing.push({
      name: 'priceFeeds.ETH_USD',
      source: 'no package used here publishes it; Chainlink feeds: https://data.chain.link',
    })
  }
  const tokens = tokensOf(id, chain.testnet === true, market.ASSETS, missing)
  return {
    chainId: id,
    name: chain.name,
    nativeSymbol: chain.nativeCurrency.symbol,
    explorer: chain.blockExplorers?.default.url ?? '',
    testnet: chain.testnet === true,
    ...(entry.parent ? { parentChainId: entry.parent } : {}),
    tokens,
    contracts,
    priceFeeds,
    missing,
  }
}

/** The whole built-in book, keyed by chain id, exactly as the committed file holds it. */
export function buildBuiltinBook(): Record<number, BuiltinChain> {
  return Object.fromEntries(BUILTIN_CHAINS.map((c) => [c.chain.id, buildChain(c)]))
}

/** The package versions the book was generated from (written into the file's header). */
export function sourceVersions(): Record<string, string> {
  // Some of these packages do not export ./package.json, so read it from node_modules directly.
  const v = (p: string) =>
    (
      JSON.parse(readFileSync(new URL(`../node_modules/${p}/package.json`, import.meta.url), 'utf8')) as {
        version: string
      }
    ).version
  return {
    viem: v('viem'),
    '@uniswap/sdk-core': v('@uniswap/sdk-core'),
    '@bgd-labs/aave-address-book': v('@bgd-labs/aave-address-book'),
    '@uniswap/default-token-list': v('@uniswap/default-token-list'),
    [ACROSS]: v(ACROSS),
  }
}
