// Uniswap V3 (WETH/USDC pools) and, on request, an Aave V3 market on the devnet L2, from the same artifacts as on L1.
import type { Abi, Address } from 'viem'
import { ownArtifact, uniswapArtifact } from './devnet-artifacts.ts'
import { AAVE_SEED, queueAaveV3Market, type AaveV3Addresses, type SetupQueue } from './devnet-aave-v3.ts'
import { queueUniswapV3, UNISWAP_V3_POOLS, type UniswapV3Deployment } from './devnet-uniswap-v3.ts'

/** A setup batch of the devnet (signed locally, nonces in order, confirmed by receipt). */
export interface L2SetupBatch extends SetupQueue {
  nextNonce(): number
  sendAndConfirm(): Promise<void>
  sendOneByOne(): Promise<void>
}

/** What the L2 DeFi deploy needs from the rest of the devnet's L2 setup. */
export interface L2DefiInput {
  deployer: Address
  /** Opens a deployer batch whose first nonce is `nonce`. */
  deployerBatch(nonce: number): L2SetupBatch
  /** A batch of the L2 bridge's relayer (its first transactions on the L2: nonce 0). */
  relayerBatch(): L2SetupBatch
  /** Nonce of the deployer's next transaction after the base L2 deploy. */
  nextNonce: number
  weth: Address
  l2StandardBridge: Address
  /** L2 bridge tokens and their L1 counterparts. */
  tokens: { USDC: Address; DAI: Address }
  remoteTokens: { USDC: Address; DAI: Address }
  feeds: { ETH_USD: Address; USDC_USD: Address }
  aaveV3: boolean
}

/** Only the WETH/USDC tiers: the L2 plans swap ETH and USDC, and every pool is ~6 setup transactions. */
const L2_POOLS = UNISWAP_V3_POOLS.filter((p) => p.a === 'WETH' && p.b === 'USDC')

/**
 * Deploys Uniswap V3 (factory, QuoterV2, NonfungiblePositionManager, SwapRouter02 without a V2 factory) with the
 * WETH/USDC pools, and the Aave V3 market when asked. The L2 USDC is the bridge's mintable token, so the deployer's
 * USDC comes from the bridge relayer finalizing a deposit to it (the bridge is the only minter); the L1 side of
 * that deposit is never locked, which only matters to a test that compares both supplies.
 */
export async function deployL2Defi(i: L2DefiInput): Promise<{
  uniswapV3: UniswapV3Deployment
  aaveV3?: AaveV3Addresses
}> {
  const usdcNeeded = L2_POOLS.reduce((n, p) => n + p.amountB, 0n) + (i.aaveV3 ? AAVE_SEED.usdc : 0n)
  const r = i.relayerBatch()
  const bridgeAbi = ownArtifact('L2StandardBridge').abi
  r.call(i.l2StandardBridge, bridgeAbi, 'finalizeDeposit', [
    i.remoteTokens.USDC,
    i.tokens.USDC,
    i.deployer,
    i.deployer,
    usdcNeeded,
    '0x',
  ])
  await r.sendAndConfirm()
  const tokenAbi = ownArtifact('L2MintableERC20').abi as Abi
  let nonce = i.nextNonce
  let aaveV3: AaveV3Addresses | undefined
  if (i.aaveV3) {
    const a = i.deployerBatch(nonce)
    aaveV3 = queueAaveV3Market(a, {
      deployer: i.deployer,
      weth: i.weth,
      usdc: i.tokens.USDC,
      tokenAbi,
      wethAbi: uniswapArtifact('WETH9').abi,
      feeds: i.feeds,
      mintUsdc: false,
    })
    await a.sendAndConfirm()
    nonce = a.nextNonce()
  }
  // As on L1, V3's heavy transactions are sent one by one (batched they often trip anvil's parking quirk).
  const v3 = i.deployerBatch(nonce)
  const uniswapV3 = queueUniswapV3(v3, {
    deployer: i.deployer,
    weth: i.weth,
    // No Uniswap V2 on the L2: SwapRouter02's V2 half is never used there.
    uniswapV2Factory: '0x0000000000000000000000000000000000000000',
    tokens: i.tokens,
    tokenAbi,
    pools: L2_POOLS,
    mintStables: false,
  })
  await v3.sendOneByOne()
  return { uniswapV3, ...(aaveV3 ? { aaveV3 } : {}) }
}
