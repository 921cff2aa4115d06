// A self-rescheduling poll loop for the devnet's relayers: one pass at a time, stoppable, awaitable on stop.

/** A running poll loop. */
export interface PollLoop {
  /** Runs one pass now, or joins the pass already running; resolves to what the pass returned. */
  tick(): Promise<number>
  /** True once stop() was called: a pass checks it between steps to end early. */
  stopped(): boolean
  /** Stops the timer and waits for a running pass to settle; safe to call twice. */
  stop(): Promise<void>
}

/**
 * Runs `pass` now and then `pollMs` after each pass ends (never overlapping, so a slow chain cannot pile up
 * passes). A failing pass goes to `onError` and the loop goes on: a relayer must outlive a flaky RPC answer.
 */
export function startPollLoop(pass: () => Promise<number>, pollMs: number, onError?: (err: unknown) => void): PollLoop {
  let stopped = false
  let running: Promise<number> | undefined
  let timer: NodeJS.Timeout | undefined
  const tick = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = undefined
    })
    return running
  }
  const loop = () => {
    if (stopped) return
    tick()
      .catch((err: unknown) => onError?.(err))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, pollMs)
      })
  }
  timer = setTimeout(loop, 0)
  return {
    tick,
    stopped: () => stopped,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running?.catch(() => undefined)
    },
  }
}
