// Compiles a trigger spec into a TriggerSchedule: pure next-fire arithmetic, validated against "now".
import { getCronEvaluator, type CronEvaluator } from './cron-engine.ts'
import { recurrenceToPattern } from './recurrence.ts'
import { normalizeTrigger, type EventSpec, type IntervalUnit, type TriggerSpec } from './spec.ts'
import { triggerError } from './trigger-error.ts'
import type { TriggerSchedule } from './types.ts'

const UNIT_MS: Record<IntervalUnit, number> = { s: 1000, min: 60_000, h: 3_600_000, days: 86_400_000 }

/** A compiled trigger: the scheduler's TriggerSchedule plus what the core needs to persist and add jobs. */
export interface CompiledTrigger extends TriggerSchedule {
  /** The spec with defaults resolved (zone filled in, an interval's start pinned): persist this one. */
  readonly spec: TriggerSpec
  /** When a job added at `nowMs` first fires: the next fire at or after now; a past allowed date fires now. */
  firstFireAt(nowMs: number): number | null
  /** Exact number of fire times in (fromMs, toMs], where cheap (interval, date, manual); absent for cron. */
  countBetween?(fromMs: number, toMs: number): number
}

/** Options for compiling: the reference instant, and whether past dates are accepted (also use on reload). */
export interface CompileOptions {
  nowMs: number
  /** Accept a `date` in the past (fires once, at once) and bounds that already ended; pass true when reloading. */
  allowPastEvents?: boolean
  /** Zone for short patterns (default UTC). */
  timezone?: string
}

function toMs(v: string | number | undefined): number | undefined {
  return v === undefined ? undefined : typeof v === 'number' ? v : Date.parse(v)
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

function checkBounds(start: number | undefined, end: number | undefined, opts: CompileOptions): void {
  if (start !== undefined && end !== undefined && end <= start) {
    throw triggerError(
      'TRIGGER_RANGE',
      'end',
      `end ${iso(end)} is not after start ${iso(start)}`,
      'set end later than start, or drop end',
    )
  }
  if (end !== undefined && end < opts.nowMs && !opts.allowPastEvents) {
    throw triggerError(
      'TRIGGER_RANGE',
      'end',
      `end ${iso(end)} is already past, so the trigger would never fire`,
      'set a future end, or drop end',
    )
  }
}

/** Cron and recurrence: a shared evaluator clamped to this job's [start, end] (both inclusive). */
class CronTrigger implements CompiledTrigger {
  constructor(
    readonly kind: 'cron' | 'recurrence',
    readonly spec: TriggerSpec,
    private readonly evaluator: CronEvaluator,
    private readonly start: number | undefined,
    private readonly end: number | undefined,
  ) {}

  nextAfter(afterMs: number): number | null {
    const from = this.start !== undefined && afterMs < this.start ? this.start - 1 : afterMs
    const t = this.evaluator.nextAfter(from)
    return t === null || (this.end !== undefined && t > this.end) ? null : t
  }

  firstFireAt(nowMs: number): number | null {
    return this.nextAfter(nowMs - 1)
  }

  describe(): string {
    const span = `${this.start !== undefined ? ` from ${iso(this.start)}` : ''}${this.end !== undefined ? ` until ${iso(this.end)}` : ''}`
    return `${this.kind} ${this.evaluator.pattern} (${this.evaluator.timeZone})${span}`
  }
}

/** Every `period` ms of absolute time from `start` (the first fire), until `end`; O(1) arithmetic, DST-blind. */
class IntervalTrigger implements CompiledTrigger {
  readonly kind = 'interval'
  private readonly last: number
  constructor(
    readonly spec: TriggerSpec,
    private readonly start: number,
    private readonly period: number,
    private readonly end: number | undefined,
  ) {
    this.last = end === undefined ? Number.POSITIVE_INFINITY : end
  }

  nextAfter(afterMs: number): number | null {
    const t =
      afterMs < this.start
        ? this.start
        : this.start + (Math.floor((afterMs - this.start) / this.period) + 1) * this.period
    return t > this.last ? null : t
  }

  firstFireAt(nowMs: number): number | null {
    return this.nextAfter(nowMs - 1)
  }

  countBetween(fromMs: number, toMs_: number): number {
    const hi = Math.min(toMs_, this.last)
    if (hi < this.start || hi <= fromMs) return 0
    const kMin = fromMs < this.start ? 0 : Math.floor((fromMs - this.start) / this.period) + 1
    const kMax = Math.floor((hi - this.start) / this.period)
    return Math.max(0, kMax - kMin + 1)
  }

  describe(): string {
    const s = this.spec as Extract<TriggerSpec, { type: 'interval' }>
    return `interval every ${s.every} ${s.unit} from ${iso(this.start)}${this.end !== undefined ? ` until ${iso(this.end)}` : ''}`
  }
}

/** One shot at `at`; an accepted past date runs once, immediately, instead of silently never. */
class DateTrigger implements CompiledTrigger {
  readonly kind = 'date'
  constructor(
    readonly spec: TriggerSpec,
    private readonly at: number,
  ) {}
  nextAfter(afterMs: number): number | null {
    return this.at > afterMs ? this.at : null
  }
  firstFireAt(nowMs: number): number | null {
    return this.at >= nowMs ? this.at : nowMs
  }
  countBetween(fromMs: number, toMs_: number): number {
    return this.at > fromMs && this.at <= toMs_ ? 1 : 0
  }
  describe(): string {
    return `date ${iso(this.at)}`
  }
}

/** A trigger with no fire times: something other than the clock starts its runs. */
abstract class UntimedTrigger implements CompiledTrigger {
  abstract readonly kind: string
  abstract readonly spec: TriggerSpec
  abstract describe(): string
  nextAfter(): number | null {
    return null
  }
  firstFireAt(): number | null {
    return null
  }
  countBetween(): number {
    return 0
  }
}

/** Never fires by itself; runNow is the only way it runs. */
class ManualTrigger extends UntimedTrigger {
  readonly kind = 'manual'
  constructor(readonly spec: TriggerSpec) {
    super()
  }
  describe(): string {
    return 'manual (runs only when asked)'
  }
}

/** Fires only when its event is reported (fireEvent, or another job's outcome); never by time. */
class EventTrigger extends UntimedTrigger {
  readonly kind = 'event'
  constructor(readonly spec: EventSpec) {
    super()
  }
  describe(): string {
    const { kind, ...rest } = this.spec.on as { kind: string } & Record<string, unknown>
    const what =
      kind === 'job'
        ? `when job ${String(rest.job)} ${String(rest.outcome)}`
        : `on ${kind} ${Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ')}`
    return `${what}${this.spec.debounce ? `, at most once per ${this.spec.debounce / 1000} s` : ''}`
  }
}

/** A new cron or recurrence job that can never fire is a mistake (Feb 30, a past year, a too-short window). */
function checkFires(trigger: CompiledTrigger, opts: CompileOptions, field: string): CompiledTrigger {
  if (!opts.allowPastEvents && trigger.firstFireAt(opts.nowMs) === null) {
    throw triggerError(
      trigger.kind === 'cron' ? 'TRIGGER_CRON' : 'TRIGGER_RECURRENCE',
      field,
      `${trigger.describe()} never fires after ${iso(opts.nowMs)}`,
      'check the day/month/year fields and the start/end window',
    )
  }
  return trigger
}

function compileSpec(spec: TriggerSpec, opts: CompileOptions): CompiledTrigger {
  switch (spec.type) {
    case 'cron': {
      const tz = spec.timezone ?? 'UTC'
      const start = toMs(spec.start)
      const end = toMs(spec.end)
      checkBounds(start, end, opts)
      const resolved = spec.timezone === undefined ? { ...spec, timezone: tz } : spec
      return checkFires(
        new CronTrigger('cron', resolved, getCronEvaluator(spec.expression.trim(), tz), start, end),
        opts,
        'expression',
      )
    }
    case 'recurrence': {
      const tz = spec.timezone ?? 'UTC'
      const pattern = recurrenceToPattern(spec.rule)
      let evaluator: CronEvaluator
      try {
        evaluator = getCronEvaluator(pattern, tz, { domAndDow: true })
      } catch (err) {
        throw triggerError(
          'TRIGGER_RECURRENCE',
          'rule',
          `the rule cannot be evaluated (${err instanceof Error ? err.message : String(err)})`,
        )
      }
      return checkFires(
        new CronTrigger('recurrence', { ...spec, timezone: tz }, evaluator, undefined, undefined),
        opts,
        'rule',
      )
    }
    case 'interval': {
      const period = spec.every * UNIT_MS[spec.unit]
      if (!Number.isSafeInteger(period)) {
        throw triggerError(
          'TRIGGER_RANGE',
          'every',
          `every ${spec.every} ${spec.unit} is too long a period`,
          'use a smaller whole number',
        )
      }
      // Without a start the first fire is one period after now; the resolved spec pins it so restarts keep the phase.
      const start = toMs(spec.start) ?? opts.nowMs + period
      const end = toMs(spec.end)
      checkBounds(start, end, opts)
      return new IntervalTrigger({ ...spec, start: iso(start) }, start, period, end)
    }
    case 'date': {
      const at = toMs(spec.at) as number
      if (at < opts.nowMs && !opts.allowPastEvents) {
        throw triggerError(
          'TRIGGER_DATE_PAST',
          'at',
          `${iso(at)} is in the past (now is ${iso(opts.nowMs)})`,
          'give a future date, or set allowPastEvents: true to run it once, at once',
        )
      }
      return new DateTrigger(spec, at)
    }
    case 'manual':
      return new ManualTrigger(spec)
    case 'event':
      return new EventTrigger(spec)
  }
}

/**
 * Validates and compiles a trigger (short pattern or object) against `nowMs`. Throws TaskSchedulingError naming
 * the field and the fix: bad cron field, unknown zone, past date, end not after start, bad period or pattern.
 */
export function compileTrigger(input: unknown, opts: CompileOptions): CompiledTrigger {
  return compileSpec(normalizeTrigger(input, { timezone: opts.timezone }), opts)
}
