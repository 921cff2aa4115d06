// Price readers: a Chainlink-style aggregator (with stale-answer checks) and a Uniswap V2 pair's spot price.
import { isAddressEqual, parseAbi, type Address, type PublicClient } from 'viem'
import { redactSecrets } from '../logging/redact.ts'
import { PriceFeedError } from './errors.ts'

const aggregatorAbi = parseAbi([
  'function decimals() view returns (uint8)',
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
])
const pairAbi = parseAbi([
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)',
])
const erc20Abi = parseAbi(['function decimals() view returns (uint8)'])

/** The read-only client calls the readers need. */
export type ReadClient = Pick<PublicClient, 'readContract'>

/** A checked feed answer. `price` is a float for analytics (volatility) only; money math uses `answer`. */
export interface FeedReading {
  answer: bigint
  decimals: number
  price: number
  roundId: bigint
  answeredInRound: bigint
  /** Unix seconds of the answer. */
  updatedAt: number
}

/** Staleness rules for a feed; `now` is a clock in ms. */
export interface FeedCheckOptions {
  maxAgeSec: number
  /** An answer dated further ahead than this is rejected (clock skew or a broken feed). */
  maxFutureSec?: number
  now?: () => number
}

/**
 * Reads `latestRoundData` and rejects what must not be used: answer <= 0 or updatedAt = 0 (PRICE_INVALID),
 * answeredInRound < roundId or an answer older than `maxAgeSec` (PRICE_STALE). RPC failures are PRICE_READ.
 */
export async function readChainlinkFeed(
  client: ReadClient,
  feed: Address,
  options: FeedCheckOptions,
): Promise<FeedReading> {
  let decimals: number
  let round: readonly [bigint, bigint, bigint, bigint, bigint]
  try {
    decimals = await client.readContract({ address: feed, abi: aggregatorAbi, functionName: 'decimals' })
    round = await client.readContract({ address: feed, abi: aggregatorAbi, functionName: 'latestRoundData' })
  } catch (cause) {
    throw new PriceFeedError('PRICE_READ', `cannot read price feed ${feed}: ${short(cause)}`, {
      hint: 'check the RPC and the feed address',
    })
  }
  const [roundId, answer, , updatedAtRaw, answeredInRound] = round
  const updatedAt = Number(updatedAtRaw)
  const nowSec = (options.now ?? Date.now)() / 1000
  const details = { feed, roundId: roundId.toString(), updatedAt }
  if (answer <= 0n)
    throw new PriceFeedError('PRICE_INVALID', `price feed ${feed} answered ${answer} (must be > 0)`, { details })
  if (updatedAt === 0)
    throw new PriceFeedError('PRICE_INVALID', `price feed ${feed} round ${roundId} is incomplete (updatedAt = 0)`, {
      details,
    })
  if (answeredInRound < roundId) {
    throw new PriceFeedError(
      'PRICE_STALE',
      `price feed ${feed} round ${roundId} carries an answer from round ${answeredInRound}`,
      { details },
    )
  }
  if (updatedAt > nowSec + (options.maxFutureSec ?? 300)) {
    throw new PriceFeedError(
      'PRICE_INVALID',
      `price feed ${feed} answer is dated ${Math.round(updatedAt - nowSec)} s in the future`,
      { details },
    )
  }
  const age = nowSec - updatedAt
  if (age > options.maxAgeSec) {
    throw new PriceFeedError(
      'PRICE_STALE',
      `price feed ${feed} answer is ${Math.round(age)} s old (max ${options.maxAgeSec} s)`,
      {
        details,
        hint: 'the feed stopped updating; wait for a new round or raise maxAgeSec to the feed heartbeat',
      },
    )
  }
  return { answer, decimals, price: Number(answer) / 10 ** decimals, roundId, answeredInRound, updatedAt }
}

/** A V2 pool's spot price of `base` in `quote`, both in human units; `priceE18` is exact (floored) fixed point. */
export interface PoolPrice {
  base: Address
  quote: Address
  reserveBase: bigint
  reserveQuote: bigint
  baseDecimals: number
  quoteDecimals: number
  priceE18: bigint
  price: number
  /** The pair's last reserve update (unix seconds mod 2^32, as the pair stores it). */
  blockTimestampLast: number
}

/**
 * Reads a Uniswap V2 pair and prices `base` in the other token, taking token order and both decimals into
 * account. A spot price is manipulable within a block: use it for monitoring, not as a sole money oracle.
 */
export async function readV2PoolPrice(client: ReadClient, pair: Address, base: Address): Promise<PoolPrice> {
  let token0: Address, token1: Address, reserves: readonly [bigint, bigint, number]
  try {
    token0 = await client.readContract({ address: pair, abi: pairAbi, functionName: 'token0' })
    token1 = await client.readContract({ address: pair, abi: pairAbi, functionName: 'token1' })
    reserves = await client.readContract({ address: pair, abi: pairAbi, functionName: 'getReserves' })
  } catch (cause) {
    throw new PriceFeedError('PRICE_READ', `cannot read V2 pair ${pair}: ${short(cause)}`, {
      hint: 'check the RPC and the pair address',
    })
  }
  const baseIs0 = isAddressEqual(token0, base)
  if (!baseIs0 && !isAddressEqual(token1, base)) {
    throw new PriceFeedError('PRICE_INVALID', `token ${base} is not in pair ${pair} (${token0}, ${token1})`)
  }
  const quote = baseIs0 ? token1 : token0
  const [reserveBase, reserveQuote] = baseIs0 ? [reserves[0], reserves[1]] : [reserves[1], reserves[0]]
  if (reserveBase === 0n || reserveQuote === 0n)
    throw new PriceFeedError('PRICE_INVALID', `V2 pair ${pair} has no liquidity`)
  let baseDecimals: number, quoteDecimals: number
  try {
    baseDecimals = await client.readContract({ address: base, abi: erc20Abi, functionName: 'decimals' })
    quoteDecimals = await client.readContract({ address: quote, abi: erc20Abi, functionName: 'decimals' })
  } catch (cause) {
    throw new PriceFeedError('PRICE_READ', `cannot read token decimals for pair ${pair}: ${short(cause)}`)
  }
  // price = (rq / 10^qd) / (rb / 10^bd), scaled by 1e18 in integers before the single division.
  const priceE18 = (reserveQuote * 10n ** BigInt(18 + baseDecimals)) / (reserveBase * 10n ** BigInt(quoteDecimals))
  return {
    base,
    quote,
    reserveBase,
    reserveQuote,
    baseDecimals,
    quoteDecimals,
    priceE18,
    price: Number(priceE18) / 1e18,
    blockTimestampLast: reserves[2],
  }
}

/** A price observation for the risk manager: never throws, says why a price is unusable. */
export type PriceObservation =
  | { ok: true; source: string; price: number; at: number }
  | { ok: false; source: string; status: 'stale' | 'invalid' | 'unavailable'; reason: string }

/** A named price source polled by the risk manager. */
export interface PriceSource {
  id: string
  observe(): Promise<PriceObservation>
}

/** Wraps a Chainlink-style feed as a PriceSource (stale/invalid answers become non-ok observations). */
export function createChainlinkPriceSource(
  id: string,
  client: ReadClient,
  feed: Address,
  options: FeedCheckOptions,
): PriceSource {
  return {
    id,
    async observe() {
      try {
        const r = await readChainlinkFeed(client, feed, options)
        return { ok: true, source: id, price: r.price, at: r.updatedAt }
      } catch (err) {
        return failed(id, err)
      }
    },
  }
}

/** Wraps a V2 pair as a PriceSource, timestamped with the caller's clock (reserves carry no reliable time). */
export function createV2PoolPriceSource(
  id: string,
  client: ReadClient,
  pair: Address,
  base: Address,
  now: () => number = Date.now,
): PriceSource {
  return {
    id,
    async observe() {
      try {
        const r = await readV2PoolPrice(client, pair, base)
        return { ok: true, source: id, price: r.price, at: Math.floor(now() / 1000) }
      } catch (err) {
        return failed(id, err)
      }
    },
  }
}

function failed(source: string, err: unknown): PriceObservation {
  const code = err instanceof PriceFeedError ? err.code : 'PRICE_READ'
  const status = code === 'PRICE_STALE' ? 'stale' : code === 'PRICE_INVALID' ? 'invalid' : 'unavailable'
  return { ok: false, source, status, reason: err instanceof Error ? redactSecrets(err.message) : short(err) }
}

function short(err: unknown): string {
  const e = err as { shortMessage?: unknown; message?: unknown }
  const text =
    typeof e?.shortMessage === 'string' ? e.shortMessage : typeof e?.message === 'string' ? e.message : String(err)
  return redactSecrets(text.split('\n')[0] ?? '').slice(0, 200)
}
