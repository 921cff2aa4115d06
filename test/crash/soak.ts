// Standalone soak: `npm run soak -- --kills 1000 [--only scheduler|tx]` runs both crash harnesses with that many SIGKILLs.
import { runCrashHarness } from './harness.ts'
import { runTxCrashHarness } from './tx-harness.ts'

const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const kills = Number(arg('--kills') ?? 100)
const only = arg('--only')
if (!Number.isInteger(kills) || kills < 1 || (only !== undefined && only !== 'scheduler' && only !== 'tx')) {
  console.error('usage: npm run soak -- --kills <positive whole number> [--only scheduler|tx]')
  process.exit(2)
}
const log = (l: string) => console.log(l)
if (only !== 'tx') {
  const t0 = Date.now()
  const report = await runCrashHarness({ kills, log })
  console.log(JSON.stringify({ harness: 'scheduler', ...report, seconds: (Date.now() - t0) / 1000 }))
}
if (only !== 'scheduler') {
  const t0 = Date.now()
  const tx = await runTxCrashHarness({ kills, log })
  console.log(JSON.stringify({ harness: 'tx', ...tx, seconds: (Date.now() - t0) / 1000 }))
  if (tx.problems.length > 0) process.exitCode = 1
}
