// On-chain position readers for rebalancing: an ERC-20 balance, an ERC-4626 vault's assets or an Aave aToken balance.
import { parseAbi, type Address, type PublicClient } from 'viem'
import { AppError } from '../errors/app-error.ts'
import { redactSecrets } from '../logging/redact.ts'
import type { ProtocolSpec } from './allocator.ts'
import type { PositionReader } from './rebalance.ts'

const abi = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function convertToAssets(uint256 shares) view returns (uint256)',
])

/**
 * Where a protocol's position lives: a token balance, vault shares valued in the vault's asset, or an Aave V3
 * aToken balance (aTokens track the supplied asset 1:1, accrued interest included).
 */
export type PositionSource =
  | { kind: 'erc20'; token: Address; owner: Address }
  | { kind: 'erc4626'; vault: Address; owner: Address }
  | { kind: 'aave-v3'; aToken: Address; owner: Address }

/**
 * Creates a reader over one read-only client per chain. A protocol without a configured source, or a chain
 * without a client, is an error (never "position 0": that would make the planner deposit again).
 */
export function createOnchainPositionReader(
  clients: Record<number, Pick<PublicClient, 'readContract'>>,
  sources: Record<string, PositionSource>,
): PositionReader {
  return {
    async read(protocol: ProtocolSpec): Promise<bigint> {
      const source = sources[protocol.id]
      const client = clients[protocol.chainId]
      if (!source || !client) {
        throw new AppError(
          'POSITION_SOURCE',
          `no position source or client for protocol ${protocol.id} on chain ${protocol.chainId}`,
          {
            hint: 'configure where the position is held (erc20 or erc4626) and an RPC for that chain',
          },
        )
      }
      try {
        if (source.kind === 'erc20' || source.kind === 'aave-v3') {
          const token = source.kind === 'erc20' ? source.token : source.aToken
          return await client.readContract({ address: token, abi, functionName: 'balanceOf', args: [source.owner] })
        }
        const shares = await client.readContract({
          address: source.vault,
          abi,
          functionName: 'balanceOf',
          args: [source.owner],
        })
        if (shares === 0n) return 0n
        return await client.readContract({
          address: source.vault,
          abi,
          functionName: 'convertToAssets',
          args: [shares],
        })
      } catch (cause) {
        const msg =
          cause instanceof Error
            ? redactSecrets((cause as { shortMessage?: string }).shortMessage ?? cause.message)
            : String(cause)
        throw new AppError(
          'POSITION_READ',
          `cannot read the ${protocol.id} position on chain ${protocol.chainId}: ${msg.split('\n')[0]}`,
          {
            retryable: true,
            cause,
          },
        )
      }
    },
  }
}
