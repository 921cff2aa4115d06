// Turns the settled intents of one run into the scheduler's reconcile verdict, from durable evidence only.
import type { ReconcileOutcome } from '../scheduler/index.ts'
import type { IntentOutcome } from './confirm.ts'

/** The result a reconciled run stores: the mined hashes of its calls, in call order. */
export interface SentCallsResult {
  hashes: string[]
  blockNumbers: number[]
}

/**
 * Verdict for a run from the outcomes of its journaled intents: nothing journaled means nothing was signed,
 * so re-running is safe; a nonce used by someone else needs an operator; a revert or cancel fails the run.
 * `expectedCalls`, when known, keeps a run whose later calls were never sent from counting as succeeded.
 */
export function reconcileRunOutcome(outcomes: IntentOutcome[], expectedCalls?: number): ReconcileOutcome {
  if (outcomes.length === 0) return { status: 'rerun' }
  const attention = outcomes.find((o) => o.status === 'needs_attention')
  if (attention && attention.status === 'needs_attention')
    return { status: 'needs_attention', reason: attention.reason }
  const failed = outcomes.find((o) => o.status === 'failed')
  if (failed && failed.status === 'failed') return { status: 'failed', error: `${failed.code}: ${failed.reason}` }
  // Every journaled call is confirmed; unsent later calls are sent by re-running (sent ones are found, not re-sent).
  if (expectedCalls !== undefined && outcomes.length < expectedCalls) return { status: 'rerun' }
  const confirmed = outcomes
    .flatMap((o) => (o.status === 'confirmed' ? [o] : []))
    .sort((a, b) => a.row.callIndex - b.row.callIndex)
  const result: SentCallsResult = {
    hashes: confirmed.map((o) => o.row.hash ?? ''),
    blockNumbers: confirmed.map((o) => o.receipt.blockNumber),
  }
  return { status: 'succeeded', result }
}
