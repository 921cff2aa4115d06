// Typed errors of the transaction engine's own verdicts (node/RPC errors are ChainErrors from map-viem-error.ts).
import { AppError, type AppErrorOptions } from '../errors/app-error.ts'

/** Root of the engine's errors. */
export class TxEngineError extends AppError {
  override name: string = 'TxEngineError'
  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(code, message, options)
  }
}

/** The configuration or the RPC disagree on something the engine needs (chain id, signer, chain config). */
export class TxConfigError extends TxEngineError {
  override name = 'TxConfigError' as const
  constructor(code: string, message: string, hint: string) {
    super(code, message, { retryable: false, hint })
  }
}

/** The transaction was mined and reverted, or was cancelled past its validity. Final: the job fails. */
export class TxFailedError extends TxEngineError {
  override name = 'TxFailedError' as const
  constructor(
    code: 'TX_REVERTED' | 'TX_CANCELLED' | 'TX_UNSENDABLE',
    message: string,
    details: Record<string, unknown>,
  ) {
    super(code, message, { retryable: false, details })
  }
}

/** The chain shows the intent's nonce used by a transaction the bot did not sign: an operator must look. */
export class IntentNeedsAttentionError extends TxEngineError {
  override name = 'IntentNeedsAttentionError' as const
  constructor(message: string, details: Record<string, unknown>) {
    super('TX_NEEDS_ATTENTION', message, {
      retryable: false,
      details,
      hint: 'inspect the wallet history on chain; the bot will not re-sign this intent on its own',
    })
  }
}

/** Waiting stopped (abort, shutdown) while the intent is still open; the journal keeps it for reconcile. */
export class IntentPendingError extends TxEngineError {
  override name = 'IntentPendingError' as const
  constructor(intentId: number, why: string) {
    super('TX_PENDING', `intent ${intentId} is still pending: ${why}`, {
      retryable: true,
      details: { intentId },
      hint: 'the intent stays in the journal; reconcile resumes it',
    })
  }
}
