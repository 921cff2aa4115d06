// The transaction engine: the one path by which the bot signs and sends, exactly once per (run, call).
import { createIntentJournal } from '../store/sqlite-intent-journal.ts'
import type { IntentOutcome } from './confirm.ts'
import { createEngineChains } from './engine-chains.ts'
import { createEngineLanes } from './engine-lanes.ts'
import { reconcileRunOutcome } from './reconcile.ts'
import type { TxEngine, TxEngineOptions } from './tx-engine-types.ts'
import { IntentPendingError } from './tx-errors.ts'
import { createSend } from './tx-send.ts'

// Other modules and tests reach the engine's contract through this file.
export type { EngineChainConfig, PolicyInput, TxEngine, TxEngineOptions, TxPolicy } from './tx-engine-types.ts'

/** Creates the engine over one database; lanes are created per (chain, wallet) on first use. */
export function createTxEngine(options: TxEngineOptions): TxEngine {
  const { db, logger, policy } = options
  const now = options.now ?? Date.now
  const journal = options.journal ?? createIntentJournal(db, { now })
  const chainOf = createEngineChains(options.chains)
  const signers = new Map(options.signers.map((a) => [a.address.toLowerCase(), a]))
  const lanes = createEngineLanes({
    journal,
    chainOf,
    signers,
    logger,
    now,
    lanes: options.lanes,
    onStep: options.onStep,
  })
  const { drive, takeLane } = lanes
  const send = createSend({ journal, chainOf, signers, policy, now, lanes, onStep: options.onStep })

  return {
    journal,
    send: send as TxEngine['send'],
    async reconcileOpenIntents(signal) {
      const roots = journal.openRoots()
      return Promise.all(roots.map((id) => drive(journal.get(id)!, signal)))
    },
    async reconcileRun(runId, { expectedCalls, signal } = {}) {
      const rows = journal.byRun(runId).filter((r) => !r.dryRun)
      const outcomes: IntentOutcome[] = []
      for (const rootId of new Set(rows.map((r) => r.rootId))) {
        const root = journal.get(rootId)!
        await takeLane(root.chainId, root.from, signal)
        try {
          outcomes.push(await drive(journal.get(rootId)!, signal))
        } catch (err) {
          if (err instanceof IntentPendingError) return { status: 'needs_attention', reason: err.message }
          throw err
        }
      }
      return reconcileRunOutcome(outcomes, expectedCalls)
    },
  }
}
