// CLI usage errors and the mapping from any error to the process exit code (0 ok, 1 failed, 2 bad input).
import { AppError } from '../errors/app-error.ts'
import { ValidationError } from '../errors/validation-error.ts'
import { ConfigError } from '../config/errors.ts'

/** Exit codes of `bot`. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const

/** Bad flags, arguments or a command that does not exist; never retryable, exit code 2. */
export class UsageError extends AppError {
  override name = 'UsageError'
  constructor(message: string, hint?: string) {
    super('CLI_USAGE', message, { retryable: false, hint })
  }
}

/** Codes of other modules' errors that mean the input was wrong rather than that something failed. */
const BAD_INPUT_CODES = new Set([
  'VALIDATION',
  'CLI_USAGE',
  'STATE_LOCKED',
  'UNKNOWN_JOB',
  'DUPLICATE_JOB',
  'INVALID_TRIGGER',
  'KEYSTORE_EXISTS',
  'KEYSTORE_BAD_KEY',
  // An address-only wallet on a path that sends live: the config lacks the wallet's key.
  'WALLET_NO_KEY',
])

/** The exit code for an error: 2 for bad input (usage, config, validation, a held lock), 1 otherwise. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof ValidationError) return EXIT.badInput
  if (err instanceof AppError && BAD_INPUT_CODES.has(err.code)) return EXIT.badInput
  return EXIT.failed
}
