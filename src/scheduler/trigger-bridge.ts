// Bridge from a job's trigger input to a compiled TriggerSchedule (TEMPORARY: interval/date/manual only until
// the triggers branch lands; then this file calls normalizeTrigger + compileTrigger from ./triggers/).
import type { TriggerSchedule } from './triggers/types.ts'
import { TaskSchedulingError } from './errors.ts'

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Compiles a trigger input (object or short pattern); throws TaskSchedulingError when it is invalid. */
export function compileJobTrigger(input: unknown, nowMs: number, allowPastEvents: boolean): TriggerSchedule {
  const bad = (why: string) =>
    new TaskSchedulingError('TRIGGER_INVALID', `invalid trigger ${JSON.stringify(input)}: ${why}`, {
      hint: "use 'manual', 'interval_30m', {type:'interval', everyMs, startMs?, endMs?} or {type:'date', at}",
    })
  if (input === 'manual' || (isObj(input) && input.type === 'manual')) {
    return { kind: 'manual', nextAfter: () => null, describe: () => 'manual' }
  }
  if (typeof input === 'string') {
    const m = /^interval_(\d+)([smhd])$/.exec(input)
    if (!m) throw bad('unknown pattern')
    return interval(Number(m[1]) * UNITS[m[2]!]!, nowMs, undefined)
  }
  if (!isObj(input)) throw bad('expected an object or a pattern string')
  if (input.type === 'interval') {
    const every = input.everyMs
    if (typeof every !== 'number' || !(every > 0)) throw bad('everyMs must be a positive number')
    return interval(every, typeof input.startMs === 'number' ? input.startMs : nowMs, num(input.endMs))
  }
  if (input.type === 'date') {
    const at = typeof input.at === 'string' ? Date.parse(input.at) : num(input.at)
    if (at === undefined || Number.isNaN(at)) throw bad('at must be a date')
    if (at <= nowMs && !allowPastEvents && input.allowPastEvents !== true) throw bad('the date is in the past')
    return { kind: 'date', nextAfter: (after) => (at > after ? at : null), describe: () => `date ${new Date(at).toISOString()}` }
  }
  throw bad('unknown type')
}

function interval(every: number, start: number, end: number | undefined): TriggerSchedule {
  return {
    kind: 'interval',
    nextAfter(after) {
      const n = after < start ? start : start + (Math.floor((after - start) / every) + 1) * every
      return end !== undefined && n > end ? null : n
    },
    describe: () => `every ${every} ms`,
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined
}
