// A run's abort switch whose AbortSignal is made only when a handler reads it: most runs are never aborted,
// and node's AbortController with EventTarget listeners cost more than a no-op run itself.

/** Hears an abort directly, without an EventTarget listener. */
export interface AbortListener {
  onAbort(reason: unknown): void
}

/** Abort state with at most one direct listener (the run's current attempt or retry wait) and a lazy signal. */
export class LazyAbort {
  aborted = false
  reason: unknown = undefined
  private ctrl: AbortController | null = null
  private listener: AbortListener | null = null

  /** The AbortSignal for handlers; made on first read, already aborted if the abort came first. */
  get signal(): AbortSignal {
    if (!this.ctrl) {
      this.ctrl = new AbortController()
      if (this.aborted) this.ctrl.abort(this.reason)
    }
    return this.ctrl.signal
  }

  /** Aborts once: the signal (if made) fires, then the listener hears it. */
  abort(reason: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    this.ctrl?.abort(reason)
    const l = this.listener
    this.listener = null
    l?.onAbort(reason)
  }

  /** Sets (or with null, clears) the one listener. */
  listen(l: AbortListener | null): void {
    this.listener = l
  }
}
