// Runs bench/wake-probe.ts beside a bench's subject and keeps its fires: the same-run floor under trigger lag.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const PROBE = fileURLToPath(new URL('./wake-probe.ts', import.meta.url))

/** A running probe: lateness (ms) of its fires in a window, and how to stop it. */
export interface WakeFloor {
  /** Lateness of the probe's fire times in [from, to). */
  between(from: number, to: number): number[]
  stop(): void
}

/**
 * Starts the probe with `nodeFlags` (the subject's, for a like-for-like floor), firing every `everyMs` at `phaseMs`
 * past each multiple of it. It inherits this thread's priority at spawn time: start it before lowering that.
 */
export function startWakeFloor(nodeFlags: string[], everyMs = 250, phaseMs = 125): WakeFloor {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', PROBE, String(everyMs), String(phaseMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const fires: { at: number; late: number }[] = []
  let tail = ''
  child.stdout.on('data', (b: Buffer) => {
    const lines = (tail + b.toString()).split('\n')
    tail = lines.pop() ?? ''
    for (const l of lines) {
      const [at, late] = l.split(' ').map(Number)
      if (Number.isFinite(at) && Number.isFinite(late)) fires.push({ at: at!, late: late! })
    }
  })
  return {
    between: (from, to) => fires.filter((f) => f.at >= from && f.at < to).map((f) => f.late),
    stop: () => void child.kill('SIGTERM'),
  }
}
