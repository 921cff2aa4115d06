// History retention: prune finished runs per the retention setting, at start and then every interval.
import type { Ctx } from '../scheduler-state.ts'

/** Deletes finished runs older than `maxAgeMs` and beyond the newest `keepPerJob`; returns how many. */
export function pruneHistory(ctx: Ctx, flushQuietly: () => void): number {
  const r = ctx.opts.retention ?? {}
  flushQuietly()
  return ctx.opts.store.pruneRuns({
    endedBeforeMs: r.maxAgeMs !== undefined ? ctx.clock.now() - r.maxAgeMs : undefined,
    keepPerJob: r.keepPerJob,
  })
}

/**
 * Prunes at once and then every `intervalMs` (default one hour) on the timeline, until the scheduler stops.
 * Returns the handle that cancels the next prune, or null when no retention is set.
 */
export function startRetention(ctx: Ctx, prune: () => number): { cancel(): void } | null {
  const r = ctx.opts.retention
  if (!r || (r.maxAgeMs === undefined && r.keepPerJob === undefined)) return null
  prune()
  const every = r.intervalMs ?? 3_600_000
  let next: { cancel(): void } | null = null
  const loop = () => {
    next = ctx.timeline.at(ctx.clock.now() + every, () => {
      if (!ctx.stopping) {
        prune()
        loop()
      }
    })
  }
  loop()
  return { cancel: () => next?.cancel() }
}
