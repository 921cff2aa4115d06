// Run windows: the days and hours (in a time zone) a job may start; outside them a due run waits for the next
// opening or, past its misfire grace, is recorded as missed.
import { z } from 'zod'
import { getCronEvaluator } from '../triggers/cron-engine.ts'

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM, e.g. 09:30')
const zone = z
  .string()
  .min(1)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz })
      return true
    } catch {
      return false
    }
  }, 'expected an IANA time zone, e.g. Europe/Berlin')

/** One window: from `from` to `to` (wall time; `to` <= `from` crosses midnight) on `days` (default every day). */
export const runWindowSchema = z.strictObject({
  days: z.array(z.enum(DAYS)).min(1).optional(),
  from: hhmm,
  to: hhmm,
  /** Default: the job's `timezone`, else UTC. */
  timezone: zone.optional(),
})

/** A validated run window. */
export type RunWindow = z.output<typeof runWindowSchema>

/** Whether `now` is inside a window, and if not, when the next one opens (null: never). */
export type WindowState = { open: true } | { open: false; nextOpening: number | null }

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))

/** Length of a window in ms; equal from/to means the whole day. DST days are an hour off, which is accepted. */
function lengthMs(w: RunWindow): number {
  return ((((minutes(w.to) - minutes(w.from)) % 1440) + 1440) % 1440 || 1440) * 60_000
}

function openings(w: RunWindow, defaultZone: string) {
  const pattern = `${Number(w.from.slice(3, 5))} ${Number(w.from.slice(0, 2))} * * ${w.days ? w.days.map((d) => DAYS.indexOf(d)).join(',') : '*'}`
  return getCronEvaluator(pattern, w.timezone ?? defaultZone)
}

/** Evaluates the windows at `now` (open when inside any of them). */
export function windowState(windows: readonly RunWindow[], now: number, defaultZone: string): WindowState {
  let next: number | null = null
  for (const w of windows) {
    const ev = openings(w, defaultZone)
    // The first opening after (now - length) is the one whose window could still contain now.
    const o = ev.nextAfter(now - lengthMs(w))
    if (o !== null && o <= now) return { open: true }
    const n = o !== null && o > now ? o : ev.nextAfter(now)
    if (n !== null && (next === null || n < next)) next = n
  }
  return { open: false, nextOpening: next }
}
