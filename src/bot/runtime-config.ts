// What the runtime derives from a validated config: job specs for the scheduler, breaker, retention and policy settings.
import type { BotConfig, JobConfig } from '../config/schema.ts'
import type { CircuitBreakerConfig } from '../risk/circuit-breaker.ts'
import { parseShortPattern, type JobSpecInput } from '../scheduler/index.ts'
import type { DynamicPolicyConfig } from './dynamic-policy.ts'
import { DEFAULT_RESERVATION } from './reservation-price.ts'

/** Maps a configured job onto the scheduler's job spec; policy hints travel in metadata. */
export function toJobSpec(job: JobConfig): JobSpecInput {
  // A short pattern read by the scheduler's own parser, so its units have their canonical names as in object form.
  const t = typeof job.trigger === 'string' ? shortSpecOf(job.trigger) : (job.trigger as unknown)
  const every =
    typeof t === 'object' && t !== null && (t as { type?: unknown }).type === 'interval'
      ? (t as { every: number; unit: string })
      : null
  const unitMs: Record<string, number> = { s: 1_000, min: 60_000, h: 3_600_000, days: 86_400_000 }
  const intervalMs = every ? every.every * (unitMs[every.unit] ?? 0) : undefined
  const metadata: Record<string, unknown> = { ...job.metadata }
  if (job.gasCap !== undefined) metadata.gasCap = job.gasCap.toString()
  if (job.maxDelay !== undefined) metadata.maxDelayMs = job.maxDelay
  if (intervalMs) metadata.recurringIntervalMs = intervalMs
  return {
    id: job.id,
    taskType: job.taskType,
    ...triggerOf(job.trigger),
    args: job.args,
    priority: job.priority,
    dependencies: job.dependencies,
    maxRetries: job.maxRetries,
    retryDelay: job.retryDelay,
    maxRetryDelay: job.maxRetryDelay,
    timeout: job.timeout,
    maxInstances: job.maxInstances,
    misfireGraceTime: job.misfireGraceTime,
    maxExecutions: job.maxExecutions,
    resources: job.resources,
    recovery: job.recovery,
    enabled: job.enabled,
    metadata,
    timezone: job.timezone,
    windows: job.windows,
    dependencyTimeout: job.dependencyTimeout,
    triggerRule: job.triggerRule,
  }
}

/** The object form of a short pattern, or undefined when it is not one (the scheduler reports that when adding). */
function shortSpecOf(pattern: string): unknown {
  try {
    return parseShortPattern(pattern)
  } catch {
    return undefined
  }
}

/** A config `date` trigger carries allowPastEvents; the scheduler takes it as a job option beside the trigger. */
function triggerOf(t: JobConfig['trigger']): Pick<JobSpecInput, 'trigger' | 'allowPastEvents'> {
  if (typeof t === 'object' && t !== null && 'allowPastEvents' in t) {
    const { allowPastEvents, ...trigger } = t as { allowPastEvents?: boolean }
    return { trigger: trigger as JobSpecInput['trigger'], allowPastEvents }
  }
  return { trigger: t as JobSpecInput['trigger'] }
}

/** The scheduler's history retention from config (the runtime and the read-only state view prune alike). */
export function retentionOf(config: BotConfig): { maxAgeMs: number; keepPerJob: number } {
  const r = config.scheduler.retention
  return { maxAgeMs: r.days * 86_400_000, keepPerJob: r.count }
}

/** Circuit-breaker thresholds from config (score 0..100, drawdown in bps). */
export function breakerConfig(config: BotConfig): CircuitBreakerConfig {
  const r = config.risk
  return {
    riskScoreThreshold: Math.round(r.breaker.riskScore * 100),
    maxConsecutiveFailures: r.breaker.consecutiveFailures,
    defaultDailyGasBudgetWei: r.dailyGasBudget,
    maxDrawdownBps: Math.max(1, Math.round(r.maxDrawdown * 10_000)),
    circuitBreakerTimeoutMs: config.scheduler.circuitBreakerTimeout,
  }
}

/** The dynamic policy's settings derived from config (gas caps in wei, times in ms). */
export function policyFromConfig(config: BotConfig): DynamicPolicyConfig {
  const cap = config.scheduler.maxGasPrice
  return {
    maxGasPrice: cap,
    criticalMaxGasPrice: cap * 2n,
    hardMaxGasPrice: cap * 4n,
    maxDelayMs: 3_600_000,
    recheckMs: 15_000,
    // Percentiles: the rule until the oracle can time (a trend and a block interval); then the reservation price.
    deadline: { lowPercentile: 0, highPercentile: 50, shape: 2, safetyMs: 300_000, reservation: DEFAULT_RESERVATION },
    thinning: { mode: 'stretch', factor: config.risk.volatility.thinningFactor },
  }
}
