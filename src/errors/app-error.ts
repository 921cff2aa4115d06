// The project's one root error: a stable string code, whether a retry can help, a fix hint, and the cause.

/** Options every project error accepts. */
export interface AppErrorOptions {
  /** Whether repeating the same step may succeed (timeouts, rate limits) or never will (reverts, bad input). */
  retryable?: boolean
  /** What the operator should do about it; shown after the message. */
  hint?: string
  /** The underlying error, kept for logs (it is sanitized before it is logged). */
  cause?: unknown
  /** Structured, secret-free details (field paths, ids) for logs and API answers. */
  details?: Record<string, unknown>
}

/** Root of every error the bot raises on purpose; `code` is stable and machine-readable. */
export class AppError extends Error {
  override name: string = 'AppError'
  readonly code: string
  readonly retryable: boolean
  readonly hint: string | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(options.hint ? `${message} (fix: ${options.hint})` : message, { cause: options.cause })
    this.code = code
    this.retryable = options.retryable ?? false
    this.hint = options.hint
    this.details = options.details
  }

  /** A plain, secret-free object for JSON logs and API answers. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details }
  }
}
