// Cron evaluation on croner with memoized parses and next-fire results, and this project's DST rules on top.
import { Cron } from 'croner'
import { instantsOfWall, isUtcZone, offsetAt, transitionBetween } from './time-zone.ts'

/** Names of the fields of a 5-, 6- or 7-part pattern, in order. */
const FIELD_NAMES: Record<number, string[]> = {
  5: ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'],
  6: ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week'],
  7: ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year'],
}
const PARSE_CACHE_MAX = 10_000
const EVALUATOR_CACHE_MAX = 20_000
const RESULTS_PER_EVALUATOR = 16
/** Safety bound for walks over matches that all map before the reference (a repeated hour, second-granular). */
const MAX_WALK = 100_000
const MAX_SEGMENTS = 64

/** Options that change what a pattern means. */
export interface CronPatternOptions {
  /** AND day-of-month with day-of-week (RecurrenceRule semantics) instead of cron's OR. */
  domAndDow?: boolean
}

/** Memoized next-fire arithmetic for one (pattern, zone) pair; shared by every job using that pair. */
export interface CronEvaluator {
  readonly pattern: string
  readonly timeZone: string
  /** True when the hour field names hours (no `*`): such jobs keep wall-clock times through DST, once each. */
  readonly wallClock: boolean
  /** Next fire strictly after `afterMs`, or null if the pattern never matches again. */
  nextAfter(afterMs: number): number | null
}

/** Describes why a pattern is invalid: the field (when one can be blamed) and croner's reason. */
export interface CronProblem {
  field: string | null
  reason: string
}

const parsed = new Map<string, Cron>()
const evaluatorsOr = new Map<string, Map<string, CronEvaluator>>()
const evaluatorsAnd = new Map<string, Map<string, CronEvaluator>>()
let evaluatorCount = 0
const checked = new Map<string, CronProblem | null>()

/** Splits a pattern into its whitespace-separated fields. */
export function cronFields(pattern: string): string[] {
  return pattern
    .trim()
    .split(/\s+/)
    .filter((f) => f.length > 0)
}

function touch<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  if (map.size >= max) {
    const oldest = map.keys().next()
    if (!oldest.done) map.delete(oldest.value)
  }
  map.set(key, value)
}

const UNUSED_YEARS: number[] = Object.freeze(new Array<number>(10_000).fill(1)) as number[]

/**
 * croner 11 gives every parsed pattern its own 10,000-entry year table (~80 KB) that it never reads when the
 * year field is `*` (starYear). Sharing one frozen table cuts memory and GC for thousands of patterns; the
 * guard leaves any other shape (another croner version) untouched, so correctness never depends on it.
 */
function shareUnusedYearTable(cron: Cron): void {
  const pattern = (cron as unknown as { _states?: { pattern?: { starYear?: unknown; year?: unknown } } })._states
    ?.pattern
  if (pattern && pattern.starYear === true && Array.isArray(pattern.year) && pattern.year.length === 10_000) {
    pattern.year = UNUSED_YEARS
  }
}

/** The pattern evaluated on wall-clock time encoded as UTC (utcOffset 0); paused, never given a callback. */
function wallCron(pattern: string, opts: CronPatternOptions): Cron {
  const key = `${opts.domAndDow ? 'A' : 'O'}|${pattern}`
  const hit = parsed.get(key)
  if (hit) return hit
  const cron = new Cron(pattern, { paused: true, utcOffset: 0, domAndDow: opts.domAndDow ?? false, mode: 'auto' })
  shareUnusedYearTable(cron)
  touch(parsed, key, cron, PARSE_CACHE_MAX)
  return cron
}

/** Checks a pattern with croner; returns null when it parses, or the blamed field and reason. */
export function checkCronPattern(pattern: string, opts: CronPatternOptions = {}): CronProblem | null {
  const key = opts.domAndDow ? `A|${pattern}` : pattern
  const known = checked.get(key)
  if (known !== undefined) return known
  const problem = findProblem(pattern, opts)
  if (checked.size >= PARSE_CACHE_MAX) checked.clear()
  checked.set(key, problem)
  return problem
}

function findProblem(pattern: string, opts: CronPatternOptions): CronProblem | null {
  try {
    wallCron(pattern, opts)
    return null
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^CronPattern:\s*/, '') : String(err)
    const fields = cronFields(pattern)
    const names = FIELD_NAMES[fields.length]
    if (!names) return { field: null, reason }
    // Blame the first field that fails on its own, with every other field a wildcard.
    for (let i = 0; i < fields.length; i++) {
      const probe = fields.map((f, j) => (j === i ? f : '*')).join(' ')
      try {
        new Cron(probe, { paused: true, utcOffset: 0 })
      } catch {
        return { field: names[i] ?? null, reason }
      }
    }
    return { field: null, reason }
  }
}

function nextWall(cron: Cron, wallMs: number): number | null {
  const d = cron.nextRun(new Date(wallMs))
  return d ? d.getTime() : null
}

/**
 * Wall-clock jobs: each matching wall time fires once, at its first instant; a time inside a skipped hour fires
 * at the first instant after the gap. Instants are non-decreasing in wall time, so walk matches until one is
 * past the reference.
 */
function nextWallClock(cron: Cron, tz: string, afterMs: number): number | null {
  let wall = nextWall(cron, afterMs + offsetAt(tz, afterMs))
  for (let i = 0; i < MAX_WALK && wall !== null; i++) {
    const m = instantsOfWall(tz, wall)
    const at = m.kind === 'unique' ? m.at : m.kind === 'repeated' ? m.first : m.gapEnd
    if (at > afterMs) return at
    wall = nextWall(cron, wall)
  }
  return null
}

/**
 * Elapsed-time jobs (`*` in the hour field): fire at every instant whose wall time matches, so a skipped hour
 * has no fires and a repeated hour fires in both passes, keeping "every 30 minutes" every 30 minutes.
 */
function nextElapsed(cron: Cron, tz: string, afterMs: number): number | null {
  // `from` bounds the search (exclusive); `segStart` is where the offset `off` is known to hold.
  let from = afterMs
  let segStart = afterMs
  let off = offsetAt(tz, afterMs)
  for (let i = 0; i < MAX_SEGMENTS; i++) {
    const wall = nextWall(cron, from + off)
    if (wall === null) return null
    const candidate = wall - off
    const change = transitionBetween(tz, segStart, candidate, off)
    if (change === null) return candidate
    // Restart in the next constant-offset segment, with candidates from the transition instant on.
    from = change - 1
    segStart = change
    off = offsetAt(tz, change)
  }
  return null
}

function hourFieldIsWildcard(pattern: string): boolean {
  const fields = cronFields(pattern)
  const hour = fields.length === 5 ? fields[1] : fields[2]
  return hour === undefined || hour.includes('*') || hour.includes('?')
}

/** The shared, memoized evaluator for (pattern, zone, options); throws croner's error on a bad pattern. */
export function getCronEvaluator(pattern: string, timeZone: string, opts: CronPatternOptions = {}): CronEvaluator {
  // Nested maps avoid building a key string per job: 100,000 jobs mostly hit this path.
  const byZone = opts.domAndDow ? evaluatorsAnd : evaluatorsOr
  let byPattern = byZone.get(timeZone)
  if (!byPattern) {
    byPattern = new Map()
    byZone.set(timeZone, byPattern)
  }
  const hit = byPattern.get(pattern)
  if (hit) return hit
  if (evaluatorCount >= EVALUATOR_CACHE_MAX) {
    // Rare (more distinct pairs than the cap): start afresh rather than track recency on the hot path.
    evaluatorsAnd.clear()
    evaluatorsOr.clear()
    evaluatorCount = 0
    byPattern = new Map()
    byZone.set(timeZone, byPattern)
  }
  const evaluator = new SharedCronEvaluator(pattern, timeZone, wallCron(pattern, opts))
  byPattern.set(pattern, evaluator)
  evaluatorCount++
  return evaluator
}

/** One (pattern, zone) pair's arithmetic with a small result cache; a class so no closures are made per pair. */
class SharedCronEvaluator implements CronEvaluator {
  readonly wallClock: boolean
  private readonly utc: boolean
  private readonly results = new Map<number, number | null>()

  constructor(
    readonly pattern: string,
    readonly timeZone: string,
    private readonly cron: Cron,
  ) {
    this.wallClock = !hourFieldIsWildcard(pattern)
    this.utc = isUtcZone(timeZone)
  }

  nextAfter(afterMs: number): number | null {
    const cached = this.results.get(afterMs)
    if (cached !== undefined) return cached
    const next = this.utc
      ? nextWall(this.cron, afterMs)
      : this.wallClock
        ? nextWallClock(this.cron, this.timeZone, afterMs)
        : nextElapsed(this.cron, this.timeZone, afterMs)
    // Many jobs sharing a pair ask for the same reference instant in one tick; a few entries suffice.
    if (this.results.size >= RESULTS_PER_EVALUATOR) this.results.clear()
    this.results.set(afterMs, next)
    return next
  }
}
