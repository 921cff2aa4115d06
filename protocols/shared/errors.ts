// Adapter errors: bad params resolved against the address book (ValidationError) and unmet on-chain preconditions.
import { AppError } from '../../src/errors/app-error.ts'
import { ValidationError } from '../../src/errors/validation-error.ts'

/** A param that parsed but does not fit the address book or chain (unknown token, wrong chain, ...). */
export function paramError(adapterId: string, path: string, message: string, hint?: string): ValidationError {
  return new ValidationError(`${adapterId} params`, [{ path, message }], hint)
}

/** A precondition read from the chain is not met (balance too low, quote of zero); never retryable as is. */
export class AdapterPreconditionError extends AppError {
  override name = 'AdapterPreconditionError' as const

  constructor(adapterId: string, message: string, hint?: string, details?: Record<string, unknown>) {
    super('ADAPTER_PRECONDITION', `${adapterId}: ${message}`, {
      retryable: false,
      hint,
      details: { adapter: adapterId, ...details },
    })
  }
}

/** An adapter id that is not registered, or registered twice. */
export class AdapterRegistryError extends AppError {
  override name = 'AdapterRegistryError' as const

  constructor(message: string, hint?: string) {
    super('ADAPTER_REGISTRY', message, { retryable: false, hint })
  }
}
