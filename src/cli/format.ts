// Small formatters shared by command outputs: times, durations, statuses with color.
import type { Painter } from './output.ts'

/** `2026-11-22 09:30:00Z`, or `-` when there is no time. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-'
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z')
}

/** `850ms`, `12.3s`, `4m05s`, `2h10m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '-'
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** A run or job status colored by outcome. */
export function paintStatus(status: string, paint: Painter): string {
  if (status === 'succeeded' || status === 'closed') return paint.green(status)
  if (['failed', 'needs_attention', 'interrupted', 'open'].includes(status)) return paint.red(status)
  if (['delayed', 'held', 'retrying', 'missed', 'skipped', 'thinned', 'half_open', 'paused'].includes(status))
    return paint.yellow(status)
  return status
}
