// Typed error for bad user input (config, job definitions, adapter parameters), naming every bad field.
import type { ZodError } from 'zod'
import { AppError } from './app-error.ts'

/** One bad field: its dotted path and what was expected there. */
export interface FieldIssue {
  path: string
  message: string
}

/** Bad input; never retryable. `issues` lists every bad field, not only the first. */
export class ValidationError extends AppError {
  override name = 'ValidationError' as const
  readonly issues: FieldIssue[]

  constructor(what: string, issues: FieldIssue[], hint?: string) {
    const list = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')
    super('VALIDATION', `invalid ${what}: ${list}`, { retryable: false, hint, details: { issues } })
    this.issues = issues
  }

  /** Builds a ValidationError from a zod error, one issue per bad path. */
  static fromZod(what: string, error: ZodError, hint?: string): ValidationError {
    const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
    return new ValidationError(what, issues, hint)
  }
}
