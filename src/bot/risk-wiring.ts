// The bot's risk side, built from its config: the circuit breaker (shared across a cluster), the volatility
// classifier, a gas oracle per chain, the price sources and the risk manager over them.
import { parseAbi, type Address, type PublicClient } from 'viem'
import type { BotConfig } from '../config/schema.ts'
import type { Logger } from '../logging/logger.ts'
import { createCircuitBreaker, type CircuitBreaker } from '../risk/circuit-breaker.ts'
import { createGasOracle } from '../risk/gas-oracle.ts'
import { createChainlinkPriceSource, createV2PoolPriceSource, type PriceSource } from '../risk/price-source.ts'
import { createRiskManager, type RiskManager } from '../risk/risk-manager.ts'
import { createVolatilityClassifier } from '../risk/volatility.ts'
import type { Db } from '../store/database.ts'
import type { BotEnvironment } from './environment.ts'
import { breakerConfig } from './runtime-config.ts'
import type { StoreWiring } from './store-wiring.ts'

const pairAbi = parseAbi(['function getPair(address,address) view returns (address)'])

/** What wireRisk reads. */
export interface RiskWiringDeps {
  config: BotConfig
  env: BotEnvironment
  db: Db
  clients: Record<number, PublicClient>
  /** Cluster mode: the breaker's state is shared with the peers. */
  cluster: StoreWiring['cluster']
  logger: Logger
}

/** Builds the breaker and the risk manager; on the devnet, block age is not held against the gas oracles. */
export async function wireRisk(d: RiskWiringDeps): Promise<{ risk: RiskManager; breaker: CircuitBreaker }> {
  const { config, env, db, logger } = d
  const r = config.risk
  const localBreaker = createCircuitBreaker({ db, logger, config: breakerConfig(config) })
  const breaker = d.cluster ? d.cluster.shareBreaker(localBreaker) : localBreaker
  const h = 1 - r.volatility.hysteresis
  const volatility = createVolatilityClassifier({
    windowBars: Math.max(2, Math.round(r.volatility.window / 60_000)),
    barSeconds: 60,
    annualize: false,
    thresholds: {
      mediumEnter: r.volatility.thresholds.medium,
      mediumExit: r.volatility.thresholds.medium * h,
      highEnter: r.volatility.thresholds.high,
      highExit: r.volatility.thresholds.high * h,
    },
  })
  const gasOracles = env.chains.map((c) =>
    createGasOracle({
      client: c.client,
      config: {
        chainId: c.chainId,
        windowBlocks: 1_024,
        ...(env.devnet ? { maxBlockAgeMs: Number.POSITIVE_INFINITY } : {}),
      },
    }),
  )
  const risk = createRiskManager({
    gasOracles,
    priceSources: await priceSources(env, d.clients),
    volatility,
    breaker,
    logger,
  })
  return { risk, breaker }
}

/** Price sources: on the devnet the real WETH/USDC Uniswap V2 pool; elsewhere none until configured. */
async function priceSources(env: BotEnvironment, clients: Record<number, PublicClient>): Promise<PriceSource[]> {
  const d = env.devnet
  if (!d) return []
  const client = clients[d.addresses.l1.chainId]!
  const pair = (await client.readContract({
    address: d.addresses.l1.uniswapV2Factory,
    abi: pairAbi,
    functionName: 'getPair',
    args: [d.addresses.l1.weth, d.addresses.l1.tokens.USDC],
  })) as Address
  // The pool comes first: the first source that answers feeds the volatility classifier. The devnet's ETH/USD
  // feed is only updated by hand, so any age is accepted there.
  return [
    createV2PoolPriceSource('devnet-weth-usdc', client, pair, d.addresses.l1.weth),
    createChainlinkPriceSource('devnet-eth-usd', client, d.addresses.l1.priceFeeds.ETH_USD, {
      maxAgeSec: 10 * 365 * 86_400,
    }),
  ]
}
