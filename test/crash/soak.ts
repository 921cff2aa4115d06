// Standalone soak: `npm run soak -- --kills 1000` runs the crash harness with that many SIGKILLs.
import { runCrashHarness } from './harness.ts'

const i = process.argv.indexOf('--kills')
const kills = i >= 0 ? Number(process.argv[i + 1]) : 100
if (!Number.isInteger(kills) || kills < 1) {
  console.error('usage: npm run soak -- --kills <positive whole number>')
  process.exit(2)
}
const t0 = Date.now()
const report = await runCrashHarness({ kills, log: (l) => console.log(l) })
console.log(JSON.stringify({ ...report, seconds: (Date.now() - t0) / 1000 }))
