// Forecast study: which model of the coming base fees feeds the reservation rule best, on every shipped trace.
// Not part of `npm run bench`. Usage: tsx bench/fees-forecast-study.ts [--seeds 101,102,103] [--jobs 200]
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { continuationValue, modelStates, replayModel, type Forecast, type ModelState } from './fees/forecast-models.ts'
import { drawJobs } from './fees/jobs.ts'
import { median, scoreDraw } from './fees/score.ts'
import { loadTraceMarket } from './fees/trace-market.ts'

const DATA = join(import.meta.dirname, '../data/market')
const { values: argv } = parseArgs({
  options: { seeds: { type: 'string', default: '101,102,103' }, jobs: { type: 'string', default: '200' } },
})
const seeds = argv.seeds.split(',').map(Number)
const files = readdirSync(DATA)
  .filter((f) => /^eth_basefee_.*\.csv$/.test(f))
  .sort()

/** The shipped rule's distribution: the window's fees moved by the believed slope over half the time left. */
const windowForecast: Forecast = (s, _h, left) => {
  const shift = s.olsBelief * s.olsSlope * (Math.min(left, s.spanBlocks) / 2)
  return s.window.map((y) => Math.exp(y + shift))
}
/** Local level plus a trend damped toward zero with horizon (damping time `damp` blocks), noise around the level. */
const levelForecast =
  (damp: number): Forecast =>
  (s, h) => {
    const moved = s.trend * damp * (1 - Math.exp(-h / damp))
    return s.noise.map((e) => Math.exp(s.level + moved + e))
  }
/** Local level reverting to the window mean with time constant `theta` blocks, no trend. */
const revertForecast =
  (theta: number): Forecast =>
  (s, h) => {
    const centre = s.mean + (s.level - s.mean) * Math.exp(-h / theta)
    return s.noise.map((e) => Math.exp(centre + e))
  }

interface Variant {
  name: string
  states: { windowBlocks: number; levelBlocks: number; trendBlocks: number; dampBlocks: number }
  value: (s: ModelState, left: number, cap: number) => number
}
const std = { windowBlocks: 1024, levelBlocks: 150, trendBlocks: 300, dampBlocks: 300 }
const draws = (scale: number) => (s: ModelState) => scale * s.tau
const plain =
  (f: Forecast, scale = 0.5) =>
  (s: ModelState, left: number, cap: number) =>
    continuationValue(s, left, draws(scale)(s), f, cap)
const variants: Variant[] = [
  { name: 'window distribution (shipped rule), scale 0.5', states: std, value: plain(windowForecast) },
  { name: 'window distribution, scale 1', states: std, value: plain(windowForecast, 1) },
  { name: 'window of 2,048 blocks, scale 0.5', states: { ...std, windowBlocks: 2048 }, value: plain(windowForecast) },
  { name: 'level + damped trend (150/300, damp 300)', states: std, value: plain(levelForecast(300)) },
  {
    name: 'level + damped trend (damp 600)',
    states: { ...std, dampBlocks: 600 },
    value: plain(levelForecast(600)),
  },
  { name: 'level reverting to window mean (theta 300)', states: std, value: plain(revertForecast(300)) },
  ...[
    { scale: 0.5, states: std },
    { scale: 1, states: std },
    { scale: 0.5, states: { ...std, dampBlocks: 150 } },
    { scale: 0.5, states: { ...std, dampBlocks: 600 } },
    { scale: 0.5, states: { ...std, levelBlocks: 75 } },
    { scale: 0.5, states: { ...std, levelBlocks: 300 } },
  ].map(({ scale, states }): Variant => ({
    name: `lower of window and level + damped trend (scale ${scale}, level ${states.levelBlocks}, damp ${states.dampBlocks})`,
    states,
    value: (s, left, cap) =>
      Math.min(
        plain(windowForecast, scale)(s, left, cap),
        plain(levelForecast(states.dampBlocks), scale)(s, left, cap),
      ),
  })),
]

console.log(`forecast study: ${files.length} traces, seeds ${seeds.join(',')} x ${argv.jobs} jobs, median vs oracle`)
for (const file of files) {
  const m = loadTraceMarket(join(DATA, file))
  const jobs = seeds.map((s) => drawJobs(m, s, Number(argv.jobs)))
  const cache = new Map<string, (ModelState | null)[]>()
  for (const v of variants) {
    const key = JSON.stringify(v.states)
    if (!cache.has(key)) cache.set(key, modelStates(m, v.states))
    const states = cache.get(key)!
    const price = (head: number, msLeft: number) => {
      const s = states[head]
      // no statistics yet: nothing counts as cheap before send-by
      return s ? v.value(s, msLeft / s.blockMs, Number(m.cap)) : 0
    }
    const scores = jobs.map((js) => scoreDraw(m, js, replayModel(m, js, price)))
    const missed = scores.reduce((n, s) => n + s.missed, 0)
    const med = median(scores.map((s) => s.vsOracle)).toFixed(3)
    const worst = Math.max(...scores.map((s) => s.vsOracle)).toFixed(3)
    console.log(`| ${file} | ${v.name} | ${med} | ${worst} | ${missed} |`)
  }
}
