// The devnet's addresses file: its shape, a validating loader for config, and its conversion to an adapter address book.
import { readFileSync } from 'node:fs'
import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'
import { ValidationError } from '../errors/validation-error.ts'
import type { AddressBook } from '../../protocols/types.ts'

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'must be an address')
  .transform((v) => getAddress(v) as Address)
const stables = z.object({ USDC: address, DAI: address })
const aaveReserve = z.object({ aToken: address, variableDebtToken: address, stableDebtToken: address })
/** The devnet's Aave V3 market (absent when the devnet was started without it). */
const aaveV3 = z.object({
  aaveV3PoolAddressesProvider: address,
  aaveV3Pool: address,
  aaveV3PoolConfigurator: address,
  aaveV3AclManager: address,
  aaveV3Oracle: address,
  aaveV3PoolDataProvider: address,
  reserves: z.object({ WETH: aaveReserve, USDC: aaveReserve }),
})

/** Uniswap V3 (factory, SwapRouter02, QuoterV2, NonfungiblePositionManager). */
const uniswapV3 = z.object({
  uniswapV3Factory: address,
  swapRouter02: address,
  quoterV2: address,
  nonfungiblePositionManager: address,
})
const priceFeeds = z.object({ ETH_USD: address, USDC_USD: address })

/** Schema of `.state/devnet/addresses.json`. */
export const devnetAddressesSchema = z.object({
  l1: z.object({
    chainId: z.number().int().positive(),
    rpcUrl: z.string().url(),
    weth: address,
    uniswapV2Factory: address,
    uniswapV2Router02: address,
    l1StandardBridge: address,
    /** Batches reads (aggregate3); absent in files written before it was deployed. */
    multicall: address.optional(),
    /** Uniswap V3 (factory, SwapRouter02, QuoterV2, NonfungiblePositionManager); absent in older files. */
    uniswapV3: uniswapV3.optional(),
    tokens: stables,
    vaults: z.object({ vUSDC: address }),
    priceFeeds,
    aaveV3: aaveV3.optional(),
    /** Across SpokePool proxy; absent in files written before it was deployed. */
    acrossSpokePool: address.optional(),
  }),
  l2: z.object({
    chainId: z.number().int().positive(),
    rpcUrl: z.string().url(),
    weth: address,
    l2StandardBridge: address,
    multicall: address.optional(),
    tokens: stables,
    acrossSpokePool: address.optional(),
    /** Uniswap V3 with the WETH/USDC pools, the Aave oracle's feeds and the Aave market; absent in older files. */
    uniswapV3: uniswapV3.optional(),
    priceFeeds: priceFeeds.optional(),
    aaveV3: aaveV3.optional(),
  }),
  relayer: address,
  /** Deploys the SpokePools and fills Across deposits. */
  acrossRelayer: address.optional(),
  deployer: address,
})

/** Deployed addresses, also written as JSON for config to point at. */
export type DevnetAddresses = z.output<typeof devnetAddressesSchema>

/** Reads and validates an addresses file written by startDevnet (or `npm run devnet`). */
export function loadDevnetAddresses(path: string): DevnetAddresses {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new ValidationError(
      'devnet addresses file',
      [{ path, message: `cannot read JSON: ${(err as Error).message}` }],
      'start the devnet with `npm run devnet` first',
    )
  }
  const parsed = devnetAddressesSchema.safeParse(json)
  if (!parsed.success)
    throw ValidationError.fromZod('devnet addresses file', parsed.error, 'restart the devnet to rewrite it')
  return parsed.data
}

/** Converts devnet addresses into the adapters' address book (tokens with decimals, named contracts). */
export function devnetBook(a: DevnetAddresses): AddressBook {
  // WETH is listed as a token too, so plans can swap it (exact approval + token->token) as well as ETH.
  const tokens = (t: { USDC: Address; DAI: Address }, weth: Address) => ({
    WETH: { symbol: 'WETH', address: weth, decimals: 18 },
    USDC: { symbol: 'USDC', address: t.USDC, decimals: 6 },
    DAI: { symbol: 'DAI', address: t.DAI, decimals: 18 },
  })
  const across = (pool: Address | undefined): Record<string, Address> => (pool ? { acrossSpokePool: pool } : {})
  return {
    [a.l1.chainId]: {
      chainId: a.l1.chainId,
      tokens: tokens(a.l1.tokens, a.l1.weth),
      contracts: {
        weth: a.l1.weth,
        uniswapV2Factory: a.l1.uniswapV2Factory,
        uniswapV2Router02: a.l1.uniswapV2Router02,
        l1StandardBridge: a.l1.l1StandardBridge,
        ...a.l1.uniswapV3,
        ...across(a.l1.acrossSpokePool),
        ...(a.l1.aaveV3 ? aaveContracts(a.l1.aaveV3) : {}),
      },
      vaults: { ...a.l1.vaults },
      priceFeeds: { ...a.l1.priceFeeds },
    },
    [a.l2.chainId]: {
      chainId: a.l2.chainId,
      tokens: tokens(a.l2.tokens, a.l2.weth),
      contracts: {
        weth: a.l2.weth,
        l2StandardBridge: a.l2.l2StandardBridge,
        ...across(a.l2.acrossSpokePool),
        ...a.l2.uniswapV3,
        ...(a.l2.aaveV3 ? aaveContracts(a.l2.aaveV3) : {}),
      },
      ...(a.l2.priceFeeds ? { priceFeeds: { ...a.l2.priceFeeds } } : {}),
      parentChainId: a.l1.chainId,
    },
  }
}

/**
 * The Aave V3 market's named contracts, as the aave-v3 adapter looks them up. Only these two: everything in
 * `contracts` is also on the devnet's transaction allowlist, and nothing else of the market is ever called.
 */
function aaveContracts(m: NonNullable<DevnetAddresses['l1']['aaveV3']>): Record<string, Address> {
  return { aaveV3Pool: m.aaveV3Pool, aaveV3PoolDataProvider: m.aaveV3PoolDataProvider }
}
