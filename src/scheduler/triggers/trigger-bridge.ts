// Compiles a job's trigger through the triggers module, sharing compiled schedules between identical triggers.
import { compileTrigger, type CompiledTrigger } from './compile.ts'

/** Options a job gives its trigger. */
export interface JobTriggerOptions {
  allowPastEvents?: boolean
  /** Zone for short patterns such as daily_at_09:30 (default UTC). */
  timezone?: string
}

const MAX_ENTRIES = 20_000
type Entry = { compiled: CompiledTrigger; input: unknown }
const cache = new Map<string, Entry>()
/** Plain cron triggers by job zone option, then trigger zone (null: none given), then expression. */
const cronCache = new Map<string | null, Map<string | null, Map<string, Entry>>>()
let cronCount = 0

/**
 * Wraps a compiled trigger so repeated `nextAfter` calls inside the same gap reuse the last answer: if `n` is the
 * next fire after `a`, it is also the next fire after any `b` with a <= b < n (triggers are pure and monotonic).
 * 100,000 jobs over 1,000 expressions then cost about 1,000 cron evaluations, not 100,000.
 */
export function memoizeNext(s: CompiledTrigger): CompiledTrigger {
  let lastAfter = Number.NaN
  let lastNext: number | null = null
  const nextAfter = (after: number): number | null => {
    if (lastNext !== null && after >= lastAfter && after < lastNext) return lastNext
    const n = s.nextAfter(after)
    lastAfter = after
    lastNext = n
    return n
  }
  const m: CompiledTrigger = {
    kind: s.kind,
    spec: s.spec,
    describe: () => s.describe(),
    nextAfter,
    firstFireAt: (nowMs) => (s.kind === 'date' ? s.firstFireAt(nowMs) : nextAfter(nowMs - 1)),
  }
  if (s.countBetween) m.countBetween = (a, b) => s.countBetween!(a, b)
  return m
}

/** Trigger types whose compiled schedules jobs share (without an end); a date or interval is each job's own. */
export const SHARED_TRIGGER_TYPES: ReadonlySet<unknown> = new Set(['cron', 'recurrence', 'manual'])

/** Whether a compiled trigger is independent of the time it was compiled at, so it can be shared. */
function shareable(t: CompiledTrigger): boolean {
  const spec = t.spec as { type: string; end?: unknown }
  return SHARED_TRIGGER_TYPES.has(spec.type) && spec.end === undefined
}

/**
 * Compiles a trigger input (short pattern, 'manual', or object) against `nowMs`; throws TaskSchedulingError when invalid.
 * Cron, recurrence and manual triggers without an end are shared between jobs (their answer does not depend on
 * when they were compiled); intervals pin their start at `nowMs` and dates check the past, so those are not.
 */
export function compileJobTrigger(raw: unknown, nowMs: number, options: JobTriggerOptions = {}): CompiledTrigger {
  return compileShared(raw, nowMs, options).compiled
}

/**
 * Like compileJobTrigger, and also returns the trigger as written (the first identical input seen, so 100,000 jobs
 * sharing 1,000 triggers keep 1,000 input objects alive), or undefined when it equals the resolved spec.
 */
export function compileShared(
  raw: unknown,
  nowMs: number,
  options: JobTriggerOptions = {},
): { compiled: CompiledTrigger; input: unknown } {
  // 'manual' reads naturally in a plan file; the trigger module only knows its object form.
  const input = raw === 'manual' ? { type: 'manual' } : raw
  const plain = plainCron(input)
  const key = plain ? '' : `${options.timezone ?? 'UTC'}|${JSON.stringify(input)}`
  const hit = plain
    ? cronCache
        .get(options.timezone ?? null)
        ?.get(plain.timezone)
        ?.get(plain.expression)
    : cache.get(key)
  if (hit) return hit
  const bare = compileTrigger(input, { nowMs, allowPastEvents: options.allowPastEvents, timezone: options.timezone })
  // Dates and intervals answer by arithmetic: a memo would only add ~750 B to each such job.
  const compiled = bare.kind === 'cron' || bare.kind === 'recurrence' ? memoizeNext(bare) : bare
  // The input is kept only when it says more than the resolved spec (a short pattern, an unpinned interval start).
  const entry = { compiled, input: JSON.stringify(input) === JSON.stringify(compiled.spec) ? undefined : raw }
  if (shareable(compiled)) {
    if (cache.size + cronCount >= MAX_ENTRIES) {
      cache.clear()
      cronCache.clear()
      cronCount = 0
    }
    if (plain) {
      childMap(childMap(cronCache, options.timezone ?? null), plain.timezone).set(plain.expression, entry)
      cronCount++
    } else cache.set(key, entry)
  }
  return entry
}

function childMap<K, C extends Map<unknown, unknown>>(outer: Map<K, C>, key: K): C {
  let inner = outer.get(key)
  if (!inner) outer.set(key, (inner = new Map() as C))
  return inner
}

/**
 * The common trigger `{ type: 'cron', expression, timezone? }` with nothing else, else null. Such triggers are
 * looked up in nested maps by their two strings: no JSON key is built and hashed per job (100,000-job plans).
 */
function plainCron(input: unknown): { expression: string; timezone: string | null } | null {
  if (typeof input !== 'object' || input === null || (input as { type?: unknown }).type !== 'cron') return null
  const { expression, timezone } = input as { expression?: unknown; timezone?: unknown }
  if (typeof expression !== 'string' || (timezone !== undefined && typeof timezone !== 'string')) return null
  let fields = 0
  for (const _ in input) fields++
  return fields === (timezone === undefined ? 2 : 3)
    ? { expression, timezone: (timezone as string | undefined) ?? null }
    : null
}
