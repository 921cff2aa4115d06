// The scheduler's liveness for health checks: started, store writable, and how late the most overdue fire is.
import type { Ctx } from './scheduler-state.ts'
import type { SchedulerHealth } from './scheduler-types.ts'

/** Health now: `overdueMs` is the age of the oldest due fire of an enabled, unpaused job while the loop runs. */
export function healthOf(ctx: Ctx, running: boolean, lastLoopAt: number | null): SchedulerHealth {
  const now = ctx.clock.now()
  let overdueMs = 0
  if (ctx.live && !ctx.globalPaused) {
    for (const j of ctx.jobs.values()) {
      const at = j.rec.nextFireAt
      if (at !== null && at < now && j.rec.enabled && !j.rec.paused) overdueMs = Math.max(overdueMs, now - at)
    }
  }
  return { running, paused: ctx.globalPaused, storeOk: !ctx.storeBroken, lastLoopAt, overdueMs }
}
