// Tells the operator of `--once` what each waiting job waits for, once per change of reason (not per re-check).
import type { ProgressEvent } from './services.ts'
import type { Scheduler } from '../scheduler/index.ts'

/** The shape of a reason without its numbers: a new gas reading alone is not a new reason. */
function reasonShape(status: string, reason: string): string {
  return `${status}|${reason.replace(/\d+(\.\d+)?/g, '#')}`
}

/** `10:42:05` in UTC: the time a delayed run is re-checked. */
function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19)
}

/**
 * Reports `<job>: delayed, <reason>, re-checking at <time> UTC` and `<job>: held, <reason>` whenever a job's waiting
 * reason changes. Returns the unsubscribe function.
 */
export function watchWaits(scheduler: Scheduler, onProgress: (e: ProgressEvent) => void): () => void {
  const last = new Map<string, string>()
  const report = (jobId: string, status: 'delayed' | 'held', reason: string, until?: number) => {
    const shape = reasonShape(status, reason)
    if (last.get(jobId) === shape) return
    last.set(jobId, shape)
    const when = until === undefined ? '' : `, re-checking at ${clockTime(until)} UTC`
    onProgress({ kind: 'job', jobId, status, message: `${reason}${when}` })
  }
  const offs = [
    scheduler.on('delayed', (p) => report(p.jobId, 'delayed', String(p.reason), p.until)),
    scheduler.on('held', (p) => report(p.jobId, 'held', String(p.reason))),
    scheduler.on('started', (p) => last.delete(p.jobId)),
  ]
  return () => offs.forEach((off) => off())
}
