// Typed errors of the control layer; the HTTP layer maps each to its status code, MCP to a tool error.
import { AppError } from '../errors/app-error.ts'

/** Base of control errors: `status` is the HTTP status that describes it. */
export class ControlError extends AppError {
  constructor(
    code: string,
    readonly status: number,
    message: string,
    hint?: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, { hint, details })
  }
}

/** No or unknown token. */
export class UnauthorizedError extends ControlError {
  constructor() {
    super(
      'UNAUTHORIZED',
      401,
      'missing or invalid bearer token',
      'send "Authorization: Bearer <token>" (create one with `bot token new`)',
    )
  }
}

/** A valid token whose role may not do this. */
export class ForbiddenError extends ControlError {
  constructor(action: string, need: string) {
    super('FORBIDDEN', 403, `this token's role may not ${action}`, `use a token with role ${need} or higher`)
  }
}

/** Bad input; the message names the field. */
export class InvalidInputError extends ControlError {
  constructor(message: string, hint?: string, details?: Record<string, unknown>) {
    super('INVALID_INPUT', 400, message, hint, details)
  }
}

/** Unknown job, run or preset. */
export class NotFoundError extends ControlError {
  constructor(message: string, hint?: string) {
    super('NOT_FOUND', 404, message, hint)
  }
}

/** The action conflicts with the current state. */
export class ConflictError extends ControlError {
  constructor(message: string, hint?: string) {
    super('CONFLICT', 409, message, hint)
  }
}
