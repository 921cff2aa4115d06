// `npm run mutation [group...]`: StrykerJS once per file group, on that group's tests only, and a per-file summary.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import { Stryker } from '@stryker-mutator/core'
import { MUTATION_GROUPS, type MutationGroup } from './mutation-groups.ts'

const REPORT_DIR = 'reports/mutation'
const SUMMARY_JSON = path.join(REPORT_DIR, 'summary.json')

interface FileScore {
  file: string
  killed: number
  timeout: number
  survived: number
  noCoverage: number
  errors: number
  ignored: number
  /** (killed + timeout) / (killed + timeout + survived + no coverage), in percent. */
  score: number
  seconds: number
  date: string
}

type MutantResults = Awaited<ReturnType<Stryker['runMutationTest']>>

function options(group: MutationGroup) {
  return {
    mutate: group.mutate,
    testFiles: group.tests,
    testRunner: 'vitest',
    // The group's tests are named explicitly: vitest's "related" search would pull in the whole suite.
    vitest: { configFile: 'vitest.config.ts', related: false },
    // Per-test coverage: each mutant runs only the tests that reach it.
    coverageAnalysis: 'perTest' as const,
    // Two cores shared with other work: one test runner at a time.
    concurrency: 1,
    // Mutants of message and hint text (what people read) are ignored by scripts/mutation-ignorer.mjs; error
    // codes, numbers and every branch are still mutated. Log and debug calls say nothing the tests could check.
    appendPlugins: [path.resolve('scripts/mutation-ignorer.mjs')],
    ignorers: ['message-text'],
    // Static mutants (module-level code run once at import, e.g. an ABI constant) are left out: the vitest
    // runner does not re-import the module per mutant here, so an emptied ABI "survived" tests that fail on it.
    ignoreStatic: true,
    // A mutant that hangs (a loop that never ends) is caught by this timeout and counts as detected.
    timeoutMS: 8_000,
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    reporters: ['progress-append-only', 'json'],
    jsonReporter: { fileName: path.join(REPORT_DIR, `${group.name}.json`) },
    incremental: false,
  }
}

/** Counts per file from Stryker's mutant results. */
function scoreFiles(results: MutantResults, seconds: number, date: string): FileScore[] {
  const byFile = new Map<string, FileScore>()
  for (const m of results) {
    const file = path.relative(process.cwd(), m.fileName)
    let s = byFile.get(file)
    if (!s) {
      s = { file, killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, ignored: 0, score: 0, seconds, date }
      byFile.set(file, s)
    }
    if (m.status === 'Killed') s.killed++
    else if (m.status === 'Timeout') s.timeout++
    else if (m.status === 'Survived') s.survived++
    else if (m.status === 'NoCoverage') s.noCoverage++
    else if (m.status === 'Ignored') s.ignored++
    else s.errors++
  }
  for (const s of byFile.values()) {
    const valid = s.killed + s.timeout + s.survived + s.noCoverage
    s.score = valid === 0 ? 100 : (100 * (s.killed + s.timeout)) / valid
  }
  return [...byFile.values()]
}

/** Survivors and uncovered mutants, one line each, for the next test to write. */
function survivorLines(results: MutantResults): string[] {
  return results
    .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
    .map((m) => {
      const file = path.relative(process.cwd(), m.fileName)
      const where = `${file}:${m.location.start.line}:${m.location.start.column}`
      return `${m.status.padEnd(10)} ${where} ${m.mutatorName}: ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)}`
    })
}

function table(scores: FileScore[]): string {
  const rows = scores.map(
    (s) =>
      `| ${s.file} | ${s.score.toFixed(1)} % | ${s.killed + s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.ignored} | ${s.seconds} s |`,
  )
  const all = scores.reduce(
    (a, s) => ({ k: a.k + s.killed + s.timeout, v: a.v + s.killed + s.timeout + s.survived + s.noCoverage }),
    { k: 0, v: 0 },
  )
  const total = all.v === 0 ? 100 : (100 * all.k) / all.v
  return [
    '| file | killed | killed (n) | survived | no coverage | ignored (text) | group run time |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    `| all files | ${total.toFixed(1)} % | ${all.k} | | | | |`,
  ].join('\n')
}

async function main(): Promise<void> {
  const names = process.argv.slice(2)
  const unknown = names.filter((n) => !MUTATION_GROUPS.some((g) => g.name === n))
  if (unknown.length > 0) {
    throw new Error(
      `unknown group(s) ${unknown.join(', ')}; pick from ${MUTATION_GROUPS.map((g) => g.name).join(', ')}`,
    )
  }
  // Named groups run in the order given; with no names, every group but the slow ones, in file order.
  const groups =
    names.length === 0
      ? MUTATION_GROUPS.filter((g) => !g.slow)
      : names.map((n) => MUTATION_GROUPS.find((g) => g.name === n)!)
  mkdirSync(REPORT_DIR, { recursive: true })
  // Earlier runs of other groups stay in the summary, so groups can be run one at a time.
  const summary = new Map<string, FileScore>(
    existsSync(SUMMARY_JSON)
      ? (JSON.parse(readFileSync(SUMMARY_JSON, 'utf8')) as FileScore[]).map((s) => [s.file, s])
      : [],
  )
  for (const group of groups) {
    const started = Date.now()
    const results = await new Stryker(options(group)).runMutationTest()
    const seconds = Math.round((Date.now() - started) / 1000)
    for (const s of scoreFiles(results, seconds, new Date().toISOString().slice(0, 10))) summary.set(s.file, s)
    writeFileSync(path.join(REPORT_DIR, `${group.name}-survivors.txt`), survivorLines(results).join('\n') + '\n')
    writeFileSync(SUMMARY_JSON, JSON.stringify([...summary.values()], null, 2) + '\n')
    writeFileSync(path.join(REPORT_DIR, 'summary.md'), table([...summary.values()]) + '\n')
    console.log(`\n${group.name}: ${seconds} s\n${table(scoreFiles(results, seconds, ''))}\n`)
  }
  console.log(`Per-file summary (${REPORT_DIR}/summary.md):\n${table([...summary.values()])}`)
}

await main()
