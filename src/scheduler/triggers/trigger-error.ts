// Builds the TaskSchedulingError a bad trigger raises, naming the field and the fix, from zod issues or checks.
import type { z } from 'zod'
import { TaskSchedulingError } from '../errors.ts'

const TRIGGER_TYPES = 'cron|date|interval|manual|recurrence|event'

/** Codes a trigger error carries; the first issue's code wins when several fields are bad. */
export type TriggerErrorCode =
  | 'TRIGGER_INVALID'
  | 'TRIGGER_CRON'
  | 'TRIGGER_TIMEZONE'
  | 'TRIGGER_DATE_PAST'
  | 'TRIGGER_RANGE'
  | 'TRIGGER_PATTERN'
  | 'TRIGGER_RECURRENCE'

/** A trigger error for one field; `field` is the dotted path inside the trigger spec (e.g. "expression"). */
export function triggerError(
  code: TriggerErrorCode,
  field: string,
  message: string,
  hint?: string,
): TaskSchedulingError {
  return new TaskSchedulingError(code, `invalid trigger: ${field}: ${message}`, {
    retryable: false,
    hint,
    details: { field, issues: [{ path: field, message }] },
  })
}

/** Turns a failed trigger parse into one TaskSchedulingError listing every bad field. */
export function triggerErrorFromZod(error: z.ZodError): TaskSchedulingError {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }))
  const first = error.issues[0] as { params?: { code?: unknown } } | undefined
  const code = typeof first?.params?.code === 'string' ? (first.params.code as TriggerErrorCode) : 'TRIGGER_INVALID'
  const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ')
  return new TaskSchedulingError(code, `invalid trigger: ${list}`, {
    retryable: false,
    // Specific checks already say how to fix it; only a shape error needs the general reminder.
    hint:
      code === 'TRIGGER_INVALID'
        ? `write a short pattern (e.g. daily_at_09:00) or an object {type: ${TRIGGER_TYPES}, ...}`
        : undefined,
    details: { field: issues[0]?.path, issues },
  })
}
