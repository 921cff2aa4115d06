// The chains the transaction engine sends on: RPC steps, block watcher and confirmation settings per chain id.
import type { ConfirmSettings } from './confirm.ts'
import { createBlockWatcher, type BlockWatcher } from './block-watcher.ts'
import { createRpcSteps, type RpcSteps } from './rpc-steps.ts'
import type { EngineChainConfig } from './tx-engine-types.ts'
import { TxConfigError } from './tx-errors.ts'
import type { TxFees } from './tx-fees.ts'

/** One configured chain with its defaults applied. */
export interface EngineChain {
  cfg: EngineChainConfig
  rpc: RpcSteps
  settings: ConfirmSettings
  watcher: BlockWatcher
  /** The fee read concurrent sends share (single flight), while one is in progress. */
  feesInFlight?: Promise<TxFees>
}

/** Builds every configured chain; the returned lookup throws TX_UNKNOWN_CHAIN for any other chain id. */
export function createEngineChains(configs: EngineChainConfig[]): (chainId: number) => EngineChain {
  const chains = new Map<number, EngineChain>()
  for (const cfg of configs) {
    const rpc = createRpcSteps(cfg.chainId, cfg.client)
    chains.set(cfg.chainId, {
      cfg,
      rpc,
      watcher: createBlockWatcher(rpc, { pollMs: cfg.pollMs ?? 250 }),
      settings: {
        confirmations: cfg.confirmations ?? 1,
        pollMs: cfg.pollMs ?? 250,
        rebroadcastMs: cfg.rebroadcastMs ?? 5_000,
        stuckAfterMs: cfg.stuckAfterMs ?? 60_000,
        maxBumps: cfg.maxBumps ?? 3,
        fees: cfg.fees,
        foreignNonceGraceMs: cfg.foreignNonceGraceMs ?? Math.max(2_000, (cfg.pollMs ?? 250) * 8),
      },
    })
  }
  return (chainId) => {
    const c = chains.get(chainId)
    if (!c)
      throw new TxConfigError('TX_UNKNOWN_CHAIN', `chain ${chainId} is not configured`, 'add it to the chains config')
    return c
  }
}
