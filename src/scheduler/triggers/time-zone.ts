// IANA time-zone arithmetic on epoch ms (offsets, transitions, wall-clock to instant) with cached Intl formatters.

const DAY_MS = 86_400_000
/** Zones never change offset more than once within this span, so sampling at this step finds every transition. */
const SAMPLE_STEP_MS = 6 * DAY_MS

const formatters = new Map<string, Intl.DateTimeFormat>()
const validity = new Map<string, boolean>()

/** True when `tz` is an IANA zone this runtime knows (Intl throws a RangeError on an unknown one). */
export function isValidTimeZone(tz: string): boolean {
  const known = validity.get(tz)
  if (known !== undefined) return known
  let ok = true
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: tz })
  } catch {
    ok = false
  }
  if (validity.size < 10_000) validity.set(tz, ok)
  return ok
}

/** True for zone names that are UTC by definition, so offset arithmetic can be skipped. */
export function isUtcZone(tz: string): boolean {
  return tz === 'UTC' || tz === 'Etc/UTC' || tz === 'GMT' || tz === 'Etc/GMT' || tz === 'Etc/Zulu' || tz === 'Zulu'
}

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (!f) {
    // en-US with h23 gives a fixed "M/D/YYYY, HH:MM:SS" shape; format() is ~3x cheaper than formatToParts().
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(tz, f)
  }
  return f
}

/** The zone's UTC offset (wall clock minus instant, in ms) in effect at instant `ms`. */
export function offsetAt(tz: string, ms: number): number {
  if (isUtcZone(tz)) return 0
  const s = Math.floor(ms / 1000) * 1000
  const parts = formatterFor(tz)
    .format(s)
    .split(/[^0-9]+/)
  const wall = Date.UTC(
    Number(parts[2]),
    Number(parts[0]) - 1,
    Number(parts[1]),
    Number(parts[3]),
    Number(parts[4]),
    Number(parts[5]),
  )
  return wall - s
}

/** First whole second in (lo, hi] whose offset differs from `off`; the caller knows offsetAt(hi) !== off. */
function bisectTransition(tz: string, lo: number, hi: number, off: number): number {
  let l = Math.floor(lo / 1000)
  let h = Math.floor(hi / 1000)
  while (h - l > 1) {
    const m = Math.floor((l + h) / 2)
    if (offsetAt(tz, m * 1000) === off) l = m
    else h = m
  }
  return h * 1000
}

/**
 * The first offset change in (lo, hi] given that `off` is the offset at `lo`, or null if there is none.
 * Long spans are sampled every 6 days so a change and its reversal inside the span are not missed.
 */
export function transitionBetween(tz: string, lo: number, hi: number, off: number): number | null {
  if (isUtcZone(tz) || hi <= lo) return null
  let prev = lo
  for (let s = lo + SAMPLE_STEP_MS; s < hi; s += SAMPLE_STEP_MS) {
    if (offsetAt(tz, s) !== off) return bisectTransition(tz, prev, s, off)
    prev = s
  }
  return offsetAt(tz, hi) !== off ? bisectTransition(tz, prev, hi, off) : null
}

/** How a wall-clock time maps to instants: one, two (a repeated hour), or none (a skipped hour). */
export type WallMapping =
  | { kind: 'unique'; at: number }
  | { kind: 'repeated'; first: number; second: number }
  | { kind: 'skipped'; gapEnd: number }

/** Maps a wall-clock time (fields encoded as UTC ms) in `tz` to the instants that show it. */
export function instantsOfWall(tz: string, wall: number): WallMapping {
  if (isUtcZone(tz)) return { kind: 'unique', at: wall }
  // Any instant showing `wall` lies within +-14 h of it; one day either side brackets at most one transition.
  const oA = offsetAt(tz, wall - DAY_MS)
  const oB = offsetAt(tz, wall + DAY_MS)
  const tA = wall - oA
  if (oA === oB) return { kind: 'unique', at: tA }
  const tB = wall - oB
  const validA = offsetAt(tz, tA) === oA
  const validB = offsetAt(tz, tB) === oB
  if (validA && validB) return { kind: 'repeated', first: Math.min(tA, tB), second: Math.max(tA, tB) }
  if (validA) return { kind: 'unique', at: tA }
  if (validB) return { kind: 'unique', at: tB }
  // Skipped: the gap in wall time is [T + oA, T + oB), so T lies in (wall - oB, wall - oA].
  return { kind: 'skipped', gapEnd: bisectTransition(tz, wall - oB, wall - oA, oA) }
}
