// Adapts the dynamic policy to the scheduler's dispatch gate: reads each job's gas policy from its metadata.
import { z } from 'zod'
import type { RiskAssessment } from '../risk/assessment.ts'
import { decideDispatch, type DueRun, type DynamicPolicyConfig, type GateDecision } from './dynamic-policy.ts'

/**
 * The per-job gas policy, stored in the job's `metadata.risk` (JSON, so wei amounts are decimal strings).
 * `deadlineWindowMs` makes a window [scheduledFor, scheduledFor + ms]; `deadlineWindow` gives absolute times.
 */
export const jobRiskMetaSchema = z.object({
  chainId: z.number().int().positive(),
  gasSensitive: z.boolean().default(true),
  critical: z.boolean().default(false),
  maxGasPriceWei: z.string().regex(/^\d+$/, 'a decimal wei amount').optional(),
  criticalMaxGasPriceWei: z.string().regex(/^\d+$/, 'a decimal wei amount').optional(),
  maxDelayMs: z.number().int().positive().optional(),
  deadlineWindowMs: z.number().int().positive().optional(),
  deadlineWindow: z.object({ releaseAt: z.number().int(), deadline: z.number().int() })
    .refine((w) => w.deadline > w.releaseAt, 'deadline must be after releaseAt').optional(),
  recurringIntervalMs: z.number().int().positive().optional(),
  occurrence: z.number().int().nonnegative().optional(),
})

/** A job's parsed gas policy. */
export type JobRiskMeta = z.infer<typeof jobRiskMetaSchema>

/** The part of the scheduler's gate input this adapter reads (structural, so the scheduler stays market-free). */
export interface GateInputLike {
  runId: string
  jobId: string
  scheduledFor: number | null
  metadata: Record<string, unknown>
}

/** The latest market tick: what `scheduleDynamically(marketData, riskAssessment)` stored. */
export interface MarketState {
  risk: RiskAssessment
}

/** Options of `createDynamicGate`. */
export interface CreateDynamicGateOptions {
  config: DynamicPolicyConfig
  /** Returns the latest market state, or null before the first market tick. */
  current: () => MarketState | null
  now: () => number
  /** An assessment older than this holds non-critical work: the market tick has stopped (fail closed). */
  maxAssessmentAgeMs: number
}

/** Builds the DueRun the policy decides on from a gate input; throws a readable message on bad metadata. */
export function toDueRun(input: GateInputLike, now: number): DueRun | null {
  const raw = input.metadata.risk
  if (raw === undefined) return null
  const parsed = jobRiskMetaSchema.safeParse(raw)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `metadata.risk.${i.path.join('.')}: ${i.message}`).join('; ')
    throw new Error(issues)
  }
  const m = parsed.data
  const dueAt = input.scheduledFor ?? now
  const window = m.deadlineWindow ?? (m.deadlineWindowMs ? { releaseAt: dueAt, deadline: dueAt + m.deadlineWindowMs } : undefined)
  return {
    jobId: input.jobId,
    chainId: m.chainId,
    dueAt,
    gasSensitive: m.gasSensitive,
    critical: m.critical,
    ...(m.maxGasPriceWei ? { maxGasPrice: BigInt(m.maxGasPriceWei) } : {}),
    ...(m.criticalMaxGasPriceWei ? { criticalMaxGasPrice: BigInt(m.criticalMaxGasPriceWei) } : {}),
    ...(m.maxDelayMs ? { maxDelayMs: m.maxDelayMs } : {}),
    ...(window ? { deadlineWindow: window } : {}),
    ...(m.recurringIntervalMs
      ? { recurring: { intervalMs: m.recurringIntervalMs, ...(m.occurrence === undefined ? {} : { occurrence: m.occurrence }) } }
      : {}),
  }
}

/**
 * Creates the dispatch gate. Jobs without `metadata.risk` are not gas-sensitive but are still held while the
 * breaker is open. No assessment yet, a too-old assessment, or unreadable metadata hold the run (fail closed);
 * critical jobs pass an old assessment only when their own gas data in it is still fresh.
 */
export function createDynamicGate(options: CreateDynamicGateOptions): (input: GateInputLike) => GateDecision {
  return (input) => {
    const now = options.now()
    let run: DueRun
    try {
      run = toDueRun(input, now) ?? { jobId: input.jobId, chainId: 0, dueAt: input.scheduledFor ?? now, gasSensitive: false }
    } catch (err) {
      return { action: 'hold', code: 'gas_unknown', reason: `unreadable risk metadata (${(err as Error).message}); fix the job definition` }
    }
    const state = options.current()
    if (!state) return { action: 'hold', code: 'gas_unknown', reason: 'no market assessment yet (the market tick has not run)' }
    const age = now - state.risk.at
    if (age > options.maxAssessmentAgeMs && !run.critical) {
      return { action: 'hold', code: 'gas_unknown', reason: `market assessment is ${Math.round(age / 1000)} s old; the market tick is not running` }
    }
    return decideDispatch(run, { now, gas: state.risk.gas }, state.risk, options.config)
  }
}
