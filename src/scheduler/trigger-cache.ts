// Memoizes compiled triggers (many jobs share an expression) and each trigger's latest next-fire answer.
import { compileJobTrigger } from './trigger-bridge.ts'
import type { TriggerSchedule } from './triggers/types.ts'

const MAX_ENTRIES = 20_000
const cache = new Map<string, TriggerSchedule>()

/**
 * Wraps a schedule so repeated `nextAfter` calls inside the same gap reuse the last answer: if `n` is the next
 * fire after `a`, it is also the next fire after any `b` with a <= b < n. Triggers are pure and monotonic.
 */
export function memoizeNext(s: TriggerSchedule): TriggerSchedule {
  let lastAfter = Number.NaN
  let lastNext: number | null = null
  return {
    kind: s.kind,
    describe: () => s.describe(),
    nextAfter(after) {
      if (lastNext !== null && after >= lastAfter && after < lastNext) return lastNext
      const n = s.nextAfter(after)
      lastAfter = after
      lastNext = n
      return n
    },
  }
}

/**
 * Compiles a trigger input, sharing one compiled schedule between identical inputs. Date triggers are not
 * cached: whether one is in the past depends on `nowMs`.
 */
export function compileCached(input: unknown, nowMs: number, allowPastEvents = false): TriggerSchedule {
  const key = JSON.stringify(input) ?? 'undefined'
  const hit = cache.get(key)
  if (hit) return hit
  const s = compileJobTrigger(input, nowMs, allowPastEvents)
  if (s.kind === 'date') return s
  if (cache.size >= MAX_ENTRIES) cache.clear()
  const m = memoizeNext(s)
  cache.set(key, m)
  return m
}
