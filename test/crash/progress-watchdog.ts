// Tells a hung soak child (no durable progress for a while) from a slow one (still progressing) and says which.

/** Options of one watch. */
export interface WatchdogOptions {
  /**
   * Reads the durable evidence of progress (journal rows, mined transactions, finished jobs...); any change
   * of its JSON between two samples is progress. A failed read counts as no change.
   */
  sample: () => unknown | Promise<unknown>
  /** No progress for this long is a hang (default 60 s). */
  hangAfterMs?: number
  /** Still running after this long, but progressing: slow (default 30 s). */
  slowAfterMs?: number
  /** Time between samples (default 1 s). */
  intervalMs?: number
  /** Called once when a hang is seen (the caller then stops the child). */
  onHang: (verdict: WatchdogVerdict) => void
}

/** What the watchdog saw over the child's life. */
export interface WatchdogVerdict {
  kind: 'ok' | 'slow' | 'hang'
  ranMs: number
  /** The longest time without progress. */
  longestIdleMs: number
  /** The last evidence sampled (for the report). */
  last: string
}

/**
 * Samples progress at intervals until `stop()`. A hang is a long stretch without any change of the evidence;
 * a child that runs long but keeps changing it is only slow (a loaded machine), and is let run.
 */
export function watchProgress(o: WatchdogOptions): { stop(): WatchdogVerdict } {
  const hangAfter = o.hangAfterMs ?? 60_000
  const slowAfter = o.slowAfterMs ?? 30_000
  const started = Date.now()
  // A failed read (file not created yet, node restarting) is no evidence either way.
  const read = async (): Promise<string | undefined> => {
    try {
      return JSON.stringify(await o.sample())
    } catch {
      return undefined
    }
  }
  let last = ''
  let lastChange = started
  let longestIdle = 0
  let hung = false
  let busy = false
  let stopped = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    void read().then((seen) => {
      busy = false
      if (stopped) return
      const now = Date.now()
      if (seen !== undefined && seen !== last) {
        last = seen
        lastChange = now
      }
      longestIdle = Math.max(longestIdle, now - lastChange)
      if (!hung && now - lastChange >= hangAfter) {
        hung = true
        o.onHang(verdict(now))
      }
    })
  }, o.intervalMs ?? 1_000)
  const verdict = (now: number): WatchdogVerdict => {
    const ranMs = now - started
    return {
      kind: hung ? 'hang' : ranMs >= slowAfter ? 'slow' : 'ok',
      ranMs,
      longestIdleMs: Math.max(longestIdle, hung ? now - lastChange : 0),
      last,
    }
  }
  return {
    stop() {
      stopped = true
      clearInterval(timer)
      return verdict(Date.now())
    },
  }
}
