// Misfire coalescing: all fire times that passed while the process slept become at most one run.
import type { TriggerSchedule } from './triggers/types.ts'

/** What to do with the fire times due at `nowMs`. */
export interface Coalesced {
  /** The one fire time to run now (the latest due one, if within grace), or null. */
  runAt: number | null
  /** Due fire times not run (too late, or coalesced into `runAt`). */
  missedCount: number
  /** The latest due fire time that was not run, or null. */
  latestMissed: number | null
  /** The latest due fire time overall (becomes the job's last fire time). */
  latestDue: number
  /** The next fire time after now, or null when the trigger is exhausted. */
  next: number | null
}

/** Past this many due fire times we stop counting one by one and jump to the grace window. */
const MAX_SCAN = 10_000

/**
 * Coalesces the fire times from `dueAt` (the stored next fire time, <= now) up to `nowMs`: the latest one
 * runs if it is within `graceMs` of now, every other one is missed. Never returns more than one run,
 * so downtime, a suspend or a clock jump forward cannot cause a burst of catch-up runs.
 */
export function coalesceDue(schedule: TriggerSchedule, dueAt: number, nowMs: number, graceMs: number): Coalesced {
  let count = 0
  let latest = dueAt
  let t: number | null = dueAt
  while (t !== null && t <= nowMs) {
    latest = t
    count++
    if (count === MAX_SCAN) {
      // Skip ahead: only fire times inside the grace window can still run.
      const jumpFrom: number = Math.max(t, nowMs - graceMs - 1)
      const j = schedule.nextAfter(jumpFrom)
      if (j !== null && j <= nowMs) {
        count++
        latest = j
        t = schedule.nextAfter(j)
        while (t !== null && t <= nowMs) {
          latest = t
          count++
          t = schedule.nextAfter(t)
        }
      } else t = j
      break
    }
    t = schedule.nextAfter(t)
  }
  const next = t !== null && t > nowMs ? t : schedule.nextAfter(nowMs)
  const runnable = nowMs - latest <= graceMs
  return {
    runAt: runnable ? latest : null,
    missedCount: runnable ? count - 1 : count,
    latestMissed: runnable ? (count > 1 ? latest : null) : latest,
    latestDue: latest,
    next,
  }
}
