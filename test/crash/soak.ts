// Standalone soak: `npm run soak -- --kills 1000 [--only scheduler|tx] [--restart-every <blocks>]` runs both crash harnesses.
import { runCrashHarness } from './harness.ts'
import { runTxCrashHarness } from './tx-harness.ts'

const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const kills = Number(arg('--kills') ?? 100)
const only = arg('--only')
const restartEvery = arg('--restart-every')
const restartEveryBlocks = restartEvery === undefined ? undefined : Number(restartEvery)
if (
  !Number.isInteger(kills) ||
  kills < 1 ||
  (only !== undefined && only !== 'scheduler' && only !== 'tx') ||
  (restartEveryBlocks !== undefined && (!Number.isInteger(restartEveryBlocks) || restartEveryBlocks < 0))
) {
  console.error(
    'usage: npm run soak -- --kills <positive whole number> [--only scheduler|tx] [--restart-every <blocks, 0: never>]',
  )
  process.exit(2)
}
const log = (l: string) => console.log(`${new Date().toISOString()} ${l}`)
const started = Date.now()
const summary: { harness: string; kills: number; jobs: number; problems: number; seconds: number }[] = []
// The two harnesses share nothing (own files, own chain): they run side by side, halving the wall time.
const scheduler = async () => {
  const t0 = Date.now()
  // The scheduler harness throws on the first violated invariant: that is its one problem.
  const report = await runCrashHarness({ kills, log }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err))
    return undefined
  })
  const seconds = (Date.now() - t0) / 1000
  console.log(JSON.stringify({ harness: 'scheduler', ...report, problems: report ? [] : ['see above'], seconds }))
  summary.push({
    harness: 'scheduler',
    kills: report?.kills ?? 0,
    jobs: report?.runs ?? 0,
    problems: report ? 0 : 1,
    seconds,
  })
}
const tx = async () => {
  const t0 = Date.now()
  const report = await runTxCrashHarness({ kills, log, restartEveryBlocks })
  const seconds = (Date.now() - t0) / 1000
  console.log(JSON.stringify({ harness: 'tx', ...report, seconds }))
  summary.push({ harness: 'tx', kills: report.kills, jobs: report.jobs, problems: report.problems.length, seconds })
}
await Promise.all([only !== 'tx' ? scheduler() : undefined, only !== 'scheduler' ? tx() : undefined])
for (const s of summary)
  console.log(
    `soak ${s.harness}: ${s.kills} kills, ${s.jobs} jobs/runs, ${s.problems} problems, ${s.seconds.toFixed(1)} s`,
  )
console.log(`soak run time: ${((Date.now() - started) / 1000).toFixed(1)} s`)
if (summary.some((s) => s.problems > 0)) process.exitCode = 1
