// Misfire arithmetic after downtime or a clock jump: at most the latest missed fire runs, the rest are counted.
import type { TriggerSchedule } from './types.ts'

/** What the core should do about fire times that passed while it was not running. */
export interface CoalesceResult {
  /** The one fire time to run now (the latest passed one, if within grace), else null. */
  runAt: number | null
  /** Fire times in (lastFire, now] that will not run. */
  missedCount: number
  /** False when missedCount is a lower bound (a cron walk over a huge gap was capped). */
  missedCountExact: boolean
  /** The latest fire time that will not run, or null. */
  latestMissed: number | null
  /** The next fire strictly after now, or null. */
  next: number | null
}

/** A schedule that may count its fire times in a range directly (intervals, dates). */
type Countable = TriggerSchedule & { countBetween?: (fromMs: number, toMs: number) => number }

/** Default bound on the fires a cron walk counts; beyond it the count is reported as a lower bound. */
export const DEFAULT_WALK_CAP = 1_000

/** The latest fire time in (fromMs, toMs], by bisection on nextAfter (non-decreasing), or null if none. */
export function latestFireIn(schedule: TriggerSchedule, fromMs: number, toMs: number): number | null {
  const first = schedule.nextAfter(fromMs)
  if (first === null || first > toMs) return null
  // Invariant: nextAfter(lo) <= toMs, nextAfter(hi) > toMs (hi = toMs works: nextAfter is strictly after).
  let lo = fromMs
  let hi = toMs
  while (hi - lo > 1) {
    const mid = Math.floor(lo + (hi - lo) / 2)
    const t = schedule.nextAfter(mid)
    if (t !== null && t <= toMs) lo = mid
    else hi = mid
  }
  return schedule.nextAfter(lo)
}

function countFires(schedule: Countable, fromMs: number, toMs: number, cap: number): { count: number; exact: boolean } {
  if (schedule.countBetween) return { count: schedule.countBetween(fromMs, toMs), exact: true }
  let count = 0
  let t = schedule.nextAfter(fromMs)
  while (t !== null && t <= toMs) {
    if (++count >= cap) return { count, exact: false }
    t = schedule.nextAfter(t)
  }
  return { count, exact: true }
}

/**
 * Among fire times in (lastFireMs, nowMs], only the latest may run, and only if nowMs - latest <= graceMs; every
 * other one is missed. Never iterates interval ticks; a cron walk is capped and the latest is still exact.
 * `lastFireMs` is the last fire the job handled (or when it was added, if it never fired). Cost: O(log gap)
 * nextAfter calls to find the latest, plus at most `walkCap` to count when the schedule cannot count itself.
 */
export function coalesceMissed(
  schedule: TriggerSchedule,
  lastFireMs: number,
  nowMs: number,
  graceMs: number,
  walkCap = DEFAULT_WALK_CAP,
): CoalesceResult {
  // The usual fire: exactly one fire time due and the next one still ahead (two evaluations, no bisection).
  const first = nowMs > lastFireMs ? schedule.nextAfter(lastFireMs) : null
  if (first !== null && first <= nowMs) {
    const after = schedule.nextAfter(first)
    if (after === null || after > nowMs) {
      return nowMs - first <= graceMs
        ? { runAt: first, missedCount: 0, missedCountExact: true, latestMissed: null, next: after }
        : { runAt: null, missedCount: 1, missedCountExact: true, latestMissed: first, next: after }
    }
  }
  const next = schedule.nextAfter(nowMs)
  const latest = nowMs > lastFireMs ? latestFireIn(schedule, lastFireMs, nowMs) : null
  if (latest === null) return { runAt: null, missedCount: 0, missedCountExact: true, latestMissed: null, next }
  const { count, exact } = countFires(schedule as Countable, lastFireMs, nowMs, walkCap)
  if (nowMs - latest <= graceMs) {
    const before = count > 1 ? latestFireIn(schedule, lastFireMs, latest - 1) : null
    return { runAt: latest, missedCount: count - 1, missedCountExact: exact, latestMissed: before, next }
  }
  return { runAt: null, missedCount: count, missedCountExact: exact, latestMissed: latest, next }
}
