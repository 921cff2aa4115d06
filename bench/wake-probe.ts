// The floor under the bot's trigger lag: a bare Node process that waits for fire times on the scheduler's own
// real clock and does nothing else. Whatever it measures is the machine's (OS and VM scheduling), not the bot's.
// Prints one line per fire, `<fire time ms> <lateness ms>`, where lateness is Date.now() at the callback minus
// the fire time (the bot's lag is started_at - scheduled_for, in the same whole milliseconds). Ends on SIGTERM.
import { createRealClock } from '../src/scheduler/index.ts'

const EVERY_MS = Number(process.argv[2] ?? 250)
const PHASE_MS = Number(process.argv[3] ?? 125)
const clock = createRealClock()
let stopped = false
process.on('SIGTERM', () => {
  stopped = true
})

function next(at: number): void {
  clock.setTimer(at, () => {
    const late = Date.now() - at
    process.stdout.write(`${at} ${late}\n`)
    if (!stopped) next(at + EVERY_MS)
    else process.exit(0)
  })
}
next(Math.ceil((Date.now() + EVERY_MS) / EVERY_MS) * EVERY_MS + PHASE_MS)
