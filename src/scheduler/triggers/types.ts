// The contract every compiled trigger meets: pure next-fire arithmetic on epoch milliseconds, no timers.

/** A compiled trigger; the scheduler keeps one timer for all jobs and asks each trigger only for its next time. */
export interface TriggerSchedule {
  /** The trigger's kind, e.g. 'cron', 'date', 'interval', 'manual'. */
  readonly kind: string
  /** The next fire time strictly after `afterMs` (epoch ms), or null when the trigger will never fire again. */
  nextAfter(afterMs: number): number | null
  /** A short human description for `bot jobs` (e.g. "cron 0 3 * * * (Europe/Berlin)"). */
  describe(): string
}
