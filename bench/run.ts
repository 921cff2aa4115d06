// Runs every bench/*.bench.ts in turn, each in its own process, and prints their output (`npm run bench`).
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = dirname(fileURLToPath(import.meta.url))
const only = process.argv[2]
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
  .sort()
let failed = 0
for (const f of files) {
  console.log(`\n== ${f}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, f)], { stdio: 'inherit', cwd: join(dir, '..') })
  if (r.status !== 0) {
    failed++
    console.error(`${f} failed (exit ${r.status ?? r.signal})`)
  }
}
process.exit(failed ? 1 : 0)
