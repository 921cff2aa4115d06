// The Aave V3 yield target of the rebalance task: its args, where its position is read, and its allocate params.
import { z } from 'zod'
import type { Address, PublicClient } from 'viem'
import { ValidationError } from '../../errors/validation-error.ts'
import type { PositionSource } from '../../capital/position-reader.ts'
import { aaveATokenOf } from '../../../protocols/aave-v3/index.ts'
import type { ChainBook } from '../../../protocols/types.ts'

/** The rebalance args' `aaveV3` entry: the chain's Aave V3 market as one more target for the asset. */
export const aaveTargetSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9_]+$/)
    .default('aave_v3'),
  expectedValueBps: z.number(),
  riskBps: z.number().positive(),
  maxAmount: z.string().regex(/^\d+$/, 'an integer amount in base units').optional(),
  /** Health-factor floor passed to withdrawals (they may back a borrow); the adapter's default when absent. */
  minHealthFactor: z.union([z.number(), z.string()]).optional(),
})

/** Parsed `aaveV3` rebalance target. */
export type AaveTarget = z.output<typeof aaveTargetSchema>

/**
 * Where the wallet's Aave position in `asset` lives: the market's aToken, found through the Pool named
 * `aaveV3Pool` in the chain's address book (a chain without it is a ValidationError).
 */
export async function aavePositionSource(
  client: Pick<PublicClient, 'readContract'>,
  entry: ChainBook,
  asset: Address,
  owner: Address,
): Promise<PositionSource> {
  const pool = entry.contracts.aaveV3Pool
  if (!pool) {
    throw new ValidationError(
      'rebalance args',
      [{ path: 'aaveV3', message: `no aaveV3Pool in the address book of chain ${entry.chainId}` }],
      'add contracts.aaveV3Pool for the chain or drop the aaveV3 target',
    )
  }
  return { kind: 'aave-v3', aToken: await aaveATokenOf(client, pool, asset), owner }
}

/** The aave-v3 adapter params for one rebalance move (a deposit is a supply), the amount in explicit base units. */
export function aaveAllocateParams(
  t: AaveTarget,
  chainId: number,
  asset: string,
  action: 'deposit' | 'withdraw',
  amount: bigint,
): Record<string, unknown> {
  return {
    chainId,
    action: action === 'deposit' ? 'supply' : 'withdraw',
    asset,
    amount: `${amount} wei`,
    ...(t.minHealthFactor === undefined ? {} : { minHealthFactor: t.minHealthFactor }),
  }
}
