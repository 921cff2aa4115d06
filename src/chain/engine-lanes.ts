// The engine's per-wallet machinery: nonce lanes, cluster lane leases, the readiness pass, one driver per intent.
import type { Address, Hex, LocalAccount } from 'viem'
import type { Logger } from '../logging/logger.ts'
import { driveIntent, applyBroadcast, type ConfirmContext, type IntentOutcome } from './confirm.ts'
import type { EngineChain } from './engine-chains.ts'
import type { IntentJournal, IntentRow, LaneOwnership } from './intent-types.ts'
import { createNonceLane, type NonceLane, type StepHook } from './nonce-lane.ts'

/** What the lanes need from the engine. */
export interface EngineLanesDeps {
  journal: IntentJournal
  chainOf: (chainId: number) => EngineChain
  /** Signers by lowercase address. */
  signers: Map<string, LocalAccount>
  logger: Logger
  now: () => number
  lanes?: LaneOwnership
  onStep?: StepHook
}

/** The lanes and drivers of one engine. */
export interface EngineLanes {
  /** One driver per intent group, shared by every caller waiting on it. */
  drive(row: IntentRow, signal?: AbortSignal, justBroadcast?: boolean): Promise<IntentOutcome>
  /** Before a wallet's first new send in this process, its open intents are brought back to the network. */
  ensureReady(chainId: number, from: Address): Promise<void>
  /** In a cluster: holds the lane's lease first; a lane just taken from a peer is reconciled again before use. */
  takeLane(chainId: number, from: Address, signal?: AbortSignal): Promise<void>
  /** The nonce lane of (chain, wallet), created on first use. */
  laneOf(chainId: number, account: LocalAccount): NonceLane
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** Creates the lanes and drivers over the engine's journal and chains. */
export function createEngineLanes(deps: EngineLanesDeps): EngineLanes {
  const { journal, chainOf, signers, logger, now } = deps
  const lanes = new Map<string, NonceLane>()
  const ready = new Map<string, Promise<void>>()
  const drivers = new Map<number, Promise<IntentOutcome>>()

  const confirmCtx = (chainId: number, from: Address): ConfirmContext => {
    const c = chainOf(chainId)
    return {
      settings: c.settings,
      rpc: c.rpc,
      journal,
      account: signers.get(from.toLowerCase()),
      logger,
      now,
      sleep,
      onStep: deps.onStep,
      watcher: c.watcher,
    }
  }
  const drive = (row: IntentRow, signal?: AbortSignal, justBroadcast = false): Promise<IntentOutcome> => {
    let p = drivers.get(row.rootId)
    if (!p) {
      // While it drives, the lane stays here: giving it to a peer mid-bump would let two instances replace one nonce.
      const done = deps.lanes?.use?.(row.chainId, row.from)
      p = driveIntent(confirmCtx(row.chainId, row.from), row.rootId, signal, justBroadcast).finally(() => {
        drivers.delete(row.rootId)
        done?.()
      })
      drivers.set(row.rootId, p)
    }
    return p
  }
  const ensureReady = (chainId: number, from: Address): Promise<void> => {
    const key = `${chainId}:${from.toLowerCase()}`
    let p = ready.get(key)
    if (!p) {
      p = (async () => {
        const open = journal.openRoots(chainId, from)
        for (const rootId of open) void drive(journal.get(rootId)!).catch(() => undefined)
        // One pass suffices to re-send journaled bytes: the lane then skips their nonces (journal max open nonce).
        const c = chainOf(chainId)
        for (const rootId of open) {
          const last = journal
            .group(rootId)
            .filter((r) => r.hash && ['signed', 'unknown', 'dropped'].includes(r.status))
            .pop()
          if (last) applyBroadcast(journal, last, await c.rpc.broadcast(last.rawTx as Hex))
        }
      })()
      p.catch(() => ready.delete(key))
      ready.set(key, p)
    }
    return p
  }
  const takeLane = async (chainId: number, from: Address, signal?: AbortSignal): Promise<void> => {
    if (deps.lanes && (await deps.lanes.acquire(chainId, from, signal)))
      ready.delete(`${chainId}:${from.toLowerCase()}`)
  }
  const laneOf = (chainId: number, account: LocalAccount): NonceLane => {
    const key = `${chainId}:${account.address.toLowerCase()}`
    let lane = lanes.get(key)
    if (!lane) {
      const c = chainOf(chainId)
      lane = createNonceLane({
        chainId,
        account,
        rpc: c.rpc,
        journal,
        logger: logger.child({ chainId }),
        applyBroadcast: (row, outcome) => applyBroadcast(journal, row, outcome),
        maxBatch: c.cfg.maxBatch,
        onStep: deps.onStep,
      })
      lanes.set(key, lane)
    }
    return lane
  }
  return { drive, ensureReady, takeLane, laneOf }
}
