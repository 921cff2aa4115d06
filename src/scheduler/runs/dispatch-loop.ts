// The loop turn: one dispatch pass per event-loop turn (or right after the timer), then the turn's writes.
import { dispatch } from './dispatch.ts'
import type { Ctx } from '../scheduler-state.ts'

/** The scheduler's loop: `kick` asks for a turn, the timer runs one at once, reads flush the writes first. */
export interface DispatchLoop {
  kick(): void
  /** After the timer fired its due entries, dispatch at once rather than one event-loop turn later (lag). */
  afterTimer(): void
  /** Writes every buffered change now; a failure is logged and retried on the next tick. */
  flushQuietly(): void
  /** When the last turn ran (clock ms), null before the first. */
  lastLoopAt(): number | null
}

const WRITE_FAILED = 'scheduler store write failed; will retry on the next tick'

/** Creates the loop over the scheduler's state; `ctxOf` is read when a turn runs (the state is built after it). */
export function createDispatchLoop(ctxOf: () => Ctx): DispatchLoop {
  let pendingLoop: NodeJS.Immediate | null = null
  let lastLoopAt: number | null = null
  function loop() {
    const ctx = ctxOf()
    lastLoopAt = ctx.clock.now()
    pendingLoop = null
    ctx.kickScheduled = false
    dispatch(ctx)
    commitQuietly(ctx)
  }
  function kick() {
    const ctx = ctxOf()
    if (ctx.kickScheduled) return
    ctx.kickScheduled = true
    pendingLoop = setImmediate(loop)
  }
  function afterTimer() {
    if (!pendingLoop) return
    clearImmediate(pendingLoop)
    loop()
  }
  function flushQuietly() {
    const ctx = ctxOf()
    try {
      ctx.writes.flush()
    } catch (err) {
      ctx.log.error({ err }, WRITE_FAILED)
    }
  }
  return { kick, afterTimer, flushQuietly, lastLoopAt: () => lastLoopAt }
}

/**
 * Hands this turn's changes to the store; a batch committing on the writer thread does not hold the loop. While
 * one is, changes that start nothing (completions) wait and go with the next batch, so the starts queued
 * behind are not held up by them; the loop runs again when the thread is idle.
 */
function commitQuietly(ctx: Ctx) {
  if (ctx.writes.committing) return
  try {
    ctx.writes.commit()?.catch((err: unknown) => ctx.log.error({ err }, WRITE_FAILED))
  } catch (err) {
    ctx.log.error({ err }, WRITE_FAILED)
  }
}
