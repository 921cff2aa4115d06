// Job specifications: the zod schema, defaults, and the typed error for a spec the scheduler cannot accept.
import { z } from 'zod'
import { PRIORITIES } from '../store/store-port.ts'
import { TRIGGER_RULES } from './dependency-rules.ts'
import type { TaskHandler, RecoveryPolicy } from '../task-contract.ts'
import { TaskSchedulingError } from '../errors.ts'
import { runWindowSchema } from '../runs/run-window.ts'
import { EMPTY_ARRAY, EMPTY_OBJECT, presentKeysParser } from './present-keys-parse.ts'
import { SHARED_TRIGGER_TYPES } from '../triggers/trigger-bridge.ts'

const ms = z.number().finite().nonnegative()

/**
 * Where `v` stops being plain JSON (a BigInt, a function, NaN, a class instance, a cycle), or null. The spec is
 * stored as JSON when its batch is written, after addJob returned: a value JSON cannot hold must fail addJob.
 */
function jsonProblem(v: unknown, path: string, seen: Set<object>): string | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${path} is ${v}, which JSON cannot hold`
  if (typeof v !== 'object') return `${path} is a ${typeof v}, which JSON cannot hold`
  if (seen.has(v)) return `${path} refers back to itself`
  const proto = Object.getPrototypeOf(v)
  if (!Array.isArray(v) && proto !== Object.prototype && proto !== null)
    return `${path} is a ${proto?.constructor?.name ?? 'class'} instance, not plain JSON`
  seen.add(v)
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue
    const p = jsonProblem(x, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`, seen)
    if (p) return p
  }
  seen.delete(v)
  return null
}
const jsonValue = (name: string) =>
  z.unknown().superRefine((v, c) => {
    const p = jsonProblem(v, name, new Set())
    if (p) c.addIssue({ code: 'custom', message: `${p}; use strings for big numbers and plain objects` })
  })

/**
 * The job spec schema. Durations are milliseconds. Exactly one of `taskType` (persisted, reloaded by name
 * after a restart) or `handler` (an inline function: the job lives in memory only and is NOT persisted;
 * its runs are still recorded) must be given.
 */
const jobSpecObject = z
  .object({
    id: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9_.:@-]+$/, 'use letters, digits and _ . : @ -'),
    taskType: z.string().min(1).optional(),
    handler: z.custom<TaskHandler>((v) => typeof v === 'function', 'must be a function').optional(),
    trigger: z.unknown().default({ type: 'manual' }),
    args: jsonValue('args').default({}),
    priority: z.enum(PRIORITIES).default('normal'),
    dependencies: z.array(z.string().min(1)).default([]),
    maxRetries: z.number().int().min(0).max(1000).optional(),
    retryDelay: ms.optional(),
    maxRetryDelay: ms.optional(),
    timeout: z.number().finite().positive().optional(),
    maxInstances: z.number().int().min(1).max(1000).default(1),
    misfireGraceTime: ms.optional(),
    /** Accept a `date` trigger in the past: it then runs once, at once. */
    allowPastEvents: z.boolean().optional(),
    /** IANA zone for short patterns such as daily_at_09:30 (default UTC). */
    timezone: z.string().min(1).optional(),
    /** Set by the scheduler: the trigger as written, when `trigger` holds its resolved (pinned) form. */
    triggerInput: z.unknown().optional(),
    maxExecutions: z.number().int().min(1).optional(),
    resources: z.record(z.string().min(1), z.number().int().positive()).default({}),
    /** When the job may start (scheduled and recovered runs; run-now is an explicit override). */
    windows: z.array(runWindowSchema).min(1).optional(),
    /** A run waiting on its dependencies longer than this is cancelled with reason dependency_timeout. */
    dependencyTimeout: z.number().finite().positive().optional(),
    /** When dependents run given how their dependencies ended (default all_success); see dependency-rules.ts. */
    triggerRule: z.enum(TRIGGER_RULES).optional(),
    recovery: z.enum(['rerun', 'reconcile']).optional(),
    enabled: z.boolean().default(true),
    metadata: z.record(z.string(), jsonValue('value')).default({}),
  })
  .strict()
const exactlyOneTask = (s: { taskType?: unknown; handler?: unknown }) =>
  (s.taskType === undefined) !== (s.handler === undefined)
export const jobSpecSchema = jobSpecObject.refine(exactlyOneTask, {
  message: 'give exactly one of taskType or handler',
  path: ['taskType'],
})

/** A job spec as the caller writes it (defaults optional). */
export type JobSpecInput = z.input<typeof jobSpecSchema>
/** A validated job spec with defaults applied. */
export type JobSpec = z.output<typeof jobSpecSchema> & { recovery?: RecoveryPolicy }

const parsePresentKeys = presentKeysParser<JobSpec>(jobSpecObject.shape)
const isEmptyPlain = (v: unknown) =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length === 0

/** Validates a job spec; throws TaskSchedulingError listing every bad field. */
export function parseJobSpec(input: unknown): JobSpec {
  const fast = parsePresentKeys(input)
  if (fast && exactlyOneTask(fast)) return shareEmpties(fast)
  const r = jobSpecSchema.safeParse(input)
  if (r.success) return shareEmpties(r.data)
  const id = typeof (input as { id?: unknown })?.id === 'string' ? (input as { id: string }).id : '(no id)'
  const list = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')
  throw new TaskSchedulingError('JOB_SPEC_INVALID', `invalid job "${id}": ${list}`, {
    hint: 'fix the listed fields of the job spec',
    details: { issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) },
  })
}

/** Most jobs have no args, metadata, dependencies or resources: one frozen empty value each (100k-job plans). */
function shareEmpties(s: JobSpec): JobSpec {
  if (s.args !== EMPTY_OBJECT && isEmptyPlain(s.args)) s.args = EMPTY_OBJECT
  if (s.metadata !== EMPTY_OBJECT && isEmptyPlain(s.metadata)) s.metadata = EMPTY_OBJECT
  if (s.resources !== EMPTY_OBJECT && isEmptyPlain(s.resources)) s.resources = EMPTY_OBJECT
  if (s.dependencies.length === 0) s.dependencies = EMPTY_ARRAY
  return s
}

const jsonOf = new WeakMap<object, string>()

/**
 * JSON of a value; objects shared by many jobs (compiled trigger specs, interned inputs) are encoded once. A job's
 * own trigger is encoded each time: caching it would keep its string alive (~270 B per date job) for nothing.
 */
function sharedJson(v: unknown): string {
  if (typeof v !== 'object' || v === null || !SHARED_TRIGGER_TYPES.has((v as { type?: unknown }).type)) {
    return JSON.stringify(v) ?? 'null'
  }
  let s = jsonOf.get(v)
  if (s === undefined) {
    s = JSON.stringify(v)
    jsonOf.set(v, s)
  }
  return s
}

// `"key":` for each spec key, built once.
const KEY_PREFIX: Record<string, string> = Object.fromEntries(
  Object.keys(jobSpecSchema.shape).map((k) => [k, `"${k}":`]),
)

/**
 * The spec as persisted: JSON without the inline handler and without fields at their defaults (parseJobSpec puts
 * them back on load), and without triggerInput when it says the same as trigger. Trigger objects are immutable.
 * Small rows matter for 100,000-job plans: each byte is encoded, sent to the writer and stored.
 */
export function specToJson(spec: JobSpec): string {
  const s = spec as Record<string, unknown>
  let out = '{'
  // The spec's own keys (about ten), not the schema's two dozen: a validated spec holds only what was given or defaulted.
  for (const k in s) {
    const v = s[k]
    if (v === undefined || v === EMPTY_OBJECT || v === EMPTY_ARRAY || k === 'handler') continue
    if ((k === 'priority' && v === 'normal') || (k === 'maxInstances' && v === 1) || (k === 'enabled' && v === true))
      continue
    let json: string
    if (k === 'trigger' || k === 'triggerInput') {
      json = sharedJson(v)
      if (k === 'triggerInput' && json === sharedJson(spec.trigger)) continue
    } else json = JSON.stringify(v)
    // Appended piece by piece, without a leading comma to slice off (a slice would flatten the string once more).
    if (out.length > 1) out += ','
    out += KEY_PREFIX[k] ?? `${JSON.stringify(k)}:`
    out += json
  }
  return out + '}'
}
