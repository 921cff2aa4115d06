// Starts the devnet's two relayers (L1 -> L2 bridge, Across fills) from the devnet's addresses alone, so they can
// run in the devnet's own thread or in a worker thread of their own.
import { createWalletClient, http, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { AppError } from '../errors/app-error.ts'
import type { DevnetAddresses } from './devnet-addresses.ts'
import { chainAt } from './setup-batch.ts'
import { startRelayer, type Relayer } from './relayer.ts'
import { startAcrossRelayer, type AcrossRelayer } from './across-relayer.ts'

/** Keys and poll intervals of the devnet's relayers. */
export interface DevnetRelayersOptions {
  /** Key of the L2 bridge's relayer (a devnet-only key). */
  relayerKey: Hex
  /** Key of the Across relayer (a devnet-only key). */
  acrossRelayerKey: Hex
  relayerPollMs?: number
  acrossRelayerPollMs?: number
  onError?: (err: unknown) => void
}

/** The running relayers. */
export interface DevnetRelayers {
  relayer: Relayer
  acrossRelayer: AcrossRelayer
}

/** The chain's Across SpokePool: every devnet deploys one, so its absence means addresses from elsewhere. */
function spokePoolOf(a: { chainId: number; acrossSpokePool?: Address }): Address {
  if (!a.acrossSpokePool) throw new AppError('DEVNET_ADDRESSES', `devnet chain ${a.chainId} has no acrossSpokePool`)
  return a.acrossSpokePool
}

/** Starts both relayers against the chains and contracts in `addresses`. */
export function startDevnetRelayers(addresses: DevnetAddresses, opts: DevnetRelayersOptions): DevnetRelayers {
  const l1 = chainAt(addresses.l1.chainId, addresses.l1.rpcUrl, 'devnet-l1')
  const l2 = chainAt(addresses.l2.chainId, addresses.l2.rpcUrl, 'devnet-l2')
  const relayerAccount = privateKeyToAccount(opts.relayerKey)
  const acrossAccount = privateKeyToAccount(opts.acrossRelayerKey)
  const relayer = startRelayer({
    l1: l1.client,
    l2: l2.client,
    l2Wallet: createWalletClient({ account: relayerAccount, chain: l2.chain, transport: http(l2.rpcUrl) }),
    l1Bridge: addresses.l1.l1StandardBridge,
    l2Bridge: addresses.l2.l2StandardBridge,
    pollMs: opts.relayerPollMs,
    onError: opts.onError,
  })
  const acrossRelayer = startAcrossRelayer({
    chains: (
      [
        [l1, addresses.l1],
        [l2, addresses.l2],
      ] as const
    ).map(([c, a]) => ({
      chainId: a.chainId,
      client: c.client,
      spokePool: spokePoolOf(a),
      wallet: createWalletClient({ account: acrossAccount, chain: c.chain, transport: http(c.rpcUrl) }),
      tokens: { WETH: a.weth, ...a.tokens },
    })),
    pollMs: opts.acrossRelayerPollMs ?? opts.relayerPollMs,
    onError: opts.onError,
  })
  return { relayer, acrossRelayer }
}
