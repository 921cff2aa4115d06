// Realized volatility (stdev of log returns over a rolling window) classified low/medium/high with hysteresis.
import { z } from 'zod'
import { ValidationError } from '../errors/validation-error.ts'

/** Volatility classes; the policy thins gas-sensitive recurring work while `high`. */
export type VolatilityLevel = 'low' | 'medium' | 'high'

const SECONDS_PER_YEAR = 365 * 24 * 3600

/**
 * Classifier settings. The value compared with the thresholds is the sample standard deviation of the
 * log returns in the window, each return first scaled to one nominal bar (`r / sqrt(dt / barSeconds)`, so
 * irregular feed updates are comparable), then, when `annualize` is true, multiplied by
 * `sqrt(secondsPerYear / barSeconds)` (1.0 = 100 % a year). With `annualize: false` it is per bar.
 * Hysteresis: a level is entered at its `*Enter` threshold and left only below its lower `*Exit` one.
 */
export const volatilityConfigSchema = z.object({
  windowBars: z.number().int().min(2).max(100_000),
  barSeconds: z.number().positive(),
  annualize: z.boolean().default(true),
  thresholds: z
    .object({
      mediumEnter: z.number().positive(),
      mediumExit: z.number().positive(),
      highEnter: z.number().positive(),
      highExit: z.number().positive(),
    })
    .refine((t) => t.mediumExit < t.mediumEnter && t.highExit < t.highEnter, {
      message: 'each exit threshold must be below its enter threshold (hysteresis)',
    })
    .refine((t) => t.mediumEnter <= t.highEnter && t.mediumExit <= t.highExit, {
      message: 'medium thresholds must not exceed high thresholds',
    }),
  /** Returns needed before the level may leave `low`; defaults to the full window. */
  minReturns: z.number().int().min(2).optional(),
})

/** Parsed classifier settings. */
export type VolatilityConfig = z.infer<typeof volatilityConfigSchema>

/** The classifier's current view. `value` is null until `minReturns` returns are known. */
export interface VolatilityReading {
  level: VolatilityLevel
  value: number | null
  returns: number
  warmedUp: boolean
  /** Time (unix s) of the last level change, or null if it never changed. */
  since: number | null
  /** Time (unix s) of the newest price. */
  at: number | null
}

/** A stateful classifier fed one price at a time. */
export interface VolatilityClassifier {
  readonly config: VolatilityConfig
  /** Adds a price observed at `time` (unix s) and returns the updated reading. */
  push(time: number, price: number): VolatilityReading
  reading(): VolatilityReading
}

/** Validates a raw config (throws ValidationError naming each bad field). */
export function parseVolatilityConfig(raw: unknown): VolatilityConfig {
  const parsed = volatilityConfigSchema.safeParse(raw)
  if (!parsed.success) throw ValidationError.fromZod('volatility config', parsed.error)
  return parsed.data
}

/** Creates a classifier from a (raw or parsed) config. */
export function createVolatilityClassifier(rawConfig: unknown): VolatilityClassifier {
  const config = parseVolatilityConfig(rawConfig)
  const scale = config.annualize ? Math.sqrt(SECONDS_PER_YEAR / config.barSeconds) : 1
  const minReturns = Math.min(config.minReturns ?? config.windowBars, config.windowBars)
  const returns: number[] = []
  let head = 0 // index of the oldest return in `returns` once it is full (ring buffer)
  let sum = 0
  let sumSq = 0
  let pushesSinceExact = 0
  let lastTime: number | null = null
  let lastPrice: number | null = null
  let level: VolatilityLevel = 'low'
  let since: number | null = null
  let value: number | null = null

  function addReturn(r: number): void {
    if (returns.length < config.windowBars) {
      returns.push(r)
    } else {
      const old = returns[head]!
      returns[head] = r
      head = (head + 1) % config.windowBars
      sum -= old
      sumSq -= old * old
    }
    sum += r
    sumSq += r * r
    // Running sums drift in floating point; recompute exactly once per window length.
    if (++pushesSinceExact >= config.windowBars) {
      sum = returns.reduce((a, b) => a + b, 0)
      sumSq = returns.reduce((a, b) => a + b * b, 0)
      pushesSinceExact = 0
    }
  }

  function stdev(): number {
    const n = returns.length
    const variance = (sumSq - (sum * sum) / n) / (n - 1)
    return Math.sqrt(Math.max(0, variance))
  }

  function classify(v: number): VolatilityLevel {
    const t = config.thresholds
    if (level === 'high') {
      if (v >= t.highExit) return 'high'
      return v >= t.mediumExit ? 'medium' : 'low'
    }
    if (v >= t.highEnter) return 'high'
    if (level === 'medium') return v >= t.mediumExit ? 'medium' : 'low'
    return v >= t.mediumEnter ? 'medium' : 'low'
  }

  function reading(): VolatilityReading {
    return { level, value, returns: returns.length, warmedUp: returns.length >= minReturns, since, at: lastTime }
  }

  return {
    config,
    push(time, price) {
      if (!Number.isFinite(price) || price <= 0)
        throw new RangeError(`price must be a positive finite number, got ${price}`)
      if (!Number.isFinite(time)) throw new RangeError(`time must be finite unix seconds, got ${time}`)
      if (lastTime !== null && lastPrice !== null) {
        if (time <= lastTime) return reading() // duplicate or out-of-order observation: ignored
        const dt = time - lastTime
        addReturn(Math.log(price / lastPrice) / Math.sqrt(dt / config.barSeconds))
      }
      lastTime = time
      lastPrice = price
      if (returns.length >= minReturns) {
        value = stdev() * scale
        const next = classify(value)
        if (next !== level) {
          level = next
          since = time
        }
      }
      return reading()
    },
    reading,
  }
}
