// The mainnet-shaped setup step that puts a real Aave V3 market behind Base's canonical Pool and data provider.
import { getAddress, type Hex } from 'viem'
import { deployAaveV3Canonical } from './aave-v3-canonical.ts'
import type { CarriedEntry } from './shaped-chain.ts'

/** What the step gets from the shaped pair: the Base stand-in's RPC and the book's WETH/USDC there. */
interface AaveStepInput {
  l2: { chainId: number; rpcUrl: string }
  book: Record<number, { tokens: Record<string, { address: `0x${string}` } | undefined> } | undefined>
}

/**
 * Builds the step for `startMainnetShaped`: an Aave V3 market for the Base stand-in's WETH and USDC whose
 * Pool and PoolDataProvider answer at the book's 8453 addresses. Ethereum (1) carries no Aave market: its
 * book entries stay in NOT_CARRIED.
 */
export function aaveV3OnBaseStep(deployerKey: Hex) {
  return async ({ l2, book }: AaveStepInput): Promise<Record<number, CarriedEntry[]>> => {
    const tokens = book[l2.chainId]!.tokens
    const market = await deployAaveV3Canonical({
      rpcUrl: l2.rpcUrl,
      deployerKey,
      weth: getAddress(tokens.WETH!.address),
      usdc: getAddress(tokens.USDC!.address),
    })
    return {
      [l2.chainId]: [
        { name: 'aaveV3Pool', address: market.aaveV3Pool, artifact: 'InitializableImmutableAdminUpgradeabilityProxy' },
        {
          name: 'aaveV3PoolDataProvider',
          address: market.aaveV3PoolDataProvider,
          artifact: 'AaveProtocolDataProvider',
        },
      ],
    }
  }
}
