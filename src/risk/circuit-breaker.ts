// Circuit breaker: trips on risk, failures, gas spend, drawdown, stale oracles or a manual halt; persisted in SQLite.
import type { Logger } from '../logging/logger.ts'
import type { Db } from '../store/database.ts'
import { RiskConfigError } from './errors.ts'

/** Why the breaker is open. */
export type BreakerCauseKind =
  'risk_score' | 'consecutive_failures' | 'gas_budget' | 'drawdown' | 'stale_oracle' | 'manual_halt'

/** One cause with a human-readable detail. */
export interface BreakerCause {
  kind: BreakerCauseKind
  detail: string
}

/** Breaker thresholds. Amounts are exact integers (wei, value units); times are clock ms. */
export interface CircuitBreakerConfig {
  /** Trips when the assessed risk score (0..100) is at or above this. */
  riskScoreThreshold: number
  /** Trips after this many job failures in a row (a success resets the count). */
  maxConsecutiveFailures: number
  /** Per-chain daily (UTC) gas budget in wei; chains not listed use `defaultDailyGasBudgetWei`. */
  dailyGasBudgetWei?: Record<number, bigint>
  defaultDailyGasBudgetWei: bigint
  /** Trips when portfolio value falls this many basis points below its recorded peak. */
  maxDrawdownBps: number
  /** Minimum time open before an automatic reset; the cause must also have cleared. */
  circuitBreakerTimeoutMs: number
}

/** The breaker's durable state as callers see it. */
export interface BreakerStatus {
  state: 'closed' | 'open'
  /** Every cause seen since the trip (empty when closed). */
  causes: BreakerCause[]
  openedAt: number | null
  /** Earliest time an automatic reset may happen (null when closed). */
  resetEligibleAt: number | null
  manualHalt: string | null
}

/** External signals the breaker cannot track itself. `staleOracles` lists each stale/unavailable source. */
export interface BreakerSignals {
  riskScore: number
  staleOracles: string[]
}

/** One persisted trip/reset/halt/release. */
export interface BreakerEvent {
  id: number
  at: number
  kind: 'trip' | 'cause_added' | 'reset' | 'manual_halt' | 'manual_release'
  causes: BreakerCause[]
  detail: string
}

/** The breaker API used by the risk manager, the job runner (results, gas) and the CLI (halt/release). */
export interface CircuitBreaker {
  recordJobResult(ok: boolean): void
  recordGasSpend(chainId: number, wei: bigint): void
  recordPortfolioValue(value: bigint): void
  halt(reason: string): BreakerStatus
  release(reason: string): BreakerStatus
  /** Trips on any active cause; resets once open for the timeout with every cause cleared. */
  evaluate(signals: BreakerSignals): BreakerStatus
  /** Causes active right now for these signals (ignores the breaker state). */
  activeCauses(signals: BreakerSignals): BreakerCause[]
  status(): BreakerStatus
  events(limit?: number): BreakerEvent[]
  gasSpentToday(chainId: number): bigint
}

/** Options of `createCircuitBreaker`. */
export interface CreateCircuitBreakerOptions {
  db: Db
  config: CircuitBreakerConfig
  now?: () => number
  logger?: Logger
}

interface StateRow {
  state: 'closed' | 'open'
  causes: string
  opened_at: number | null
  manual_halt: string | null
}

/**
 * Creates a breaker bound to the database (migration 0003_risk). State is read from the database on every
 * call, so a restarted process (or a CLI halt written by another process) is seen immediately.
 * A failure-count cause clears at the timeout (half-open): the count restarts at zero after the reset, so
 * N new failures trip it again. A gas-budget cause clears at the next UTC day.
 */
export function createCircuitBreaker(options: CreateCircuitBreakerOptions): CircuitBreaker {
  const { db, config } = options
  const now = options.now ?? Date.now
  if (!(config.maxConsecutiveFailures >= 1) || !(config.circuitBreakerTimeoutMs >= 0) || !(config.maxDrawdownBps > 0)) {
    throw new RiskConfigError('circuit breaker needs maxConsecutiveFailures >= 1, timeout >= 0 and maxDrawdownBps > 0')
  }
  const log = options.logger?.child({ component: 'circuit-breaker' })
  const getCounter = db.prepare('SELECT value FROM risk_counters WHERE key = ?')
  const setCounter = db.prepare(`INSERT INTO risk_counters (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
  const getState = db.prepare('SELECT state, causes, opened_at, manual_halt FROM risk_breaker_state WHERE id = 1')
  const putState = db.prepare(`INSERT INTO risk_breaker_state (id, state, causes, opened_at, manual_halt, updated_at)
    VALUES (1, @state, @causes, @opened_at, @manual_halt, @updated_at)
    ON CONFLICT(id) DO UPDATE SET state = excluded.state, causes = excluded.causes, opened_at = excluded.opened_at,
      manual_halt = excluded.manual_halt, updated_at = excluded.updated_at`)
  const addEvent = db.prepare('INSERT INTO risk_breaker_events (at, kind, causes, detail) VALUES (?, ?, ?, ?)')
  const addGas = db.prepare(`INSERT OR IGNORE INTO risk_gas_spend (day, chain_id, wei) VALUES (?, ?, '0')`)
  const getGas = db.prepare('SELECT wei FROM risk_gas_spend WHERE day = ? AND chain_id = ?')
  const upsertGas = db.prepare('UPDATE risk_gas_spend SET wei = ? WHERE day = ? AND chain_id = ?')

  const counter = (key: string): bigint | null => {
    const row = getCounter.get(key) as { value: string } | undefined
    return row ? BigInt(row.value) : null
  }
  const setCount = (key: string, value: bigint) => setCounter.run(key, value.toString(), now())
  const day = () => new Date(now()).toISOString().slice(0, 10)

  function readState(): BreakerStatus {
    const row = getState.get() as StateRow | undefined
    if (!row || row.state === 'closed') {
      return { state: 'closed', causes: [], openedAt: null, resetEligibleAt: null, manualHalt: null }
    }
    return {
      state: 'open',
      causes: JSON.parse(row.causes) as BreakerCause[],
      openedAt: row.opened_at,
      resetEligibleAt: (row.opened_at ?? 0) + config.circuitBreakerTimeoutMs,
      manualHalt: row.manual_halt,
    }
  }

  function write(s: BreakerStatus, event: BreakerEvent['kind'], causes: BreakerCause[], detail: string): BreakerStatus {
    db.transaction(() => {
      putState.run({
        state: s.state,
        causes: JSON.stringify(s.causes),
        opened_at: s.openedAt,
        manual_halt: s.manualHalt,
        updated_at: now(),
      })
      addEvent.run(now(), event, JSON.stringify(causes), detail)
    }).immediate()
    const line = { event, causes, detail, state: s.state }
    if (event === 'reset' || event === 'manual_release') log?.info(line, `circuit breaker ${event}`)
    else log?.warn(line, `circuit breaker ${event}`)
    return readState()
  }

  function gasSpentToday(chainId: number): bigint {
    const row = getGas.get(day(), chainId) as { wei: string } | undefined
    return row ? BigInt(row.wei) : 0n
  }

  function activeCauses(signals: BreakerSignals): BreakerCause[] {
    const causes: BreakerCause[] = []
    if (signals.riskScore >= config.riskScoreThreshold) {
      causes.push({
        kind: 'risk_score',
        detail: `risk score ${signals.riskScore} >= threshold ${config.riskScoreThreshold}`,
      })
    }
    const failures = counter('consecutive_failures') ?? 0n
    if (failures >= BigInt(config.maxConsecutiveFailures)) {
      causes.push({
        kind: 'consecutive_failures',
        detail: `${failures} job failures in a row (limit ${config.maxConsecutiveFailures})`,
      })
    }
    const rows = db.prepare('SELECT chain_id, wei FROM risk_gas_spend WHERE day = ?').all(day()) as {
      chain_id: number
      wei: string
    }[]
    for (const r of rows) {
      const budget = config.dailyGasBudgetWei?.[r.chain_id] ?? config.defaultDailyGasBudgetWei
      if (BigInt(r.wei) > budget) {
        causes.push({
          kind: 'gas_budget',
          detail: `chain ${r.chain_id} spent ${r.wei} wei on gas today, budget ${budget}`,
        })
      }
    }
    const peak = counter('portfolio_peak')
    const value = counter('portfolio_value')
    if (peak !== null && value !== null && peak > 0n) {
      const ddBps = ((peak - value) * 10_000n) / peak
      if (ddBps >= BigInt(config.maxDrawdownBps)) {
        causes.push({
          kind: 'drawdown',
          detail: `portfolio ${ddBps} bps below its peak (limit ${config.maxDrawdownBps})`,
        })
      }
    }
    for (const s of signals.staleOracles) causes.push({ kind: 'stale_oracle', detail: s })
    return causes
  }

  return {
    recordJobResult(ok) {
      setCount('consecutive_failures', ok ? 0n : (counter('consecutive_failures') ?? 0n) + 1n)
    },
    recordGasSpend(chainId, wei) {
      if (wei < 0n) throw new RangeError('gas spend cannot be negative')
      db.transaction(() => {
        addGas.run(day(), chainId)
        upsertGas.run((gasSpentToday(chainId) + wei).toString(), day(), chainId)
      }).immediate()
    },
    recordPortfolioValue(value) {
      if (value < 0n) throw new RangeError('portfolio value cannot be negative')
      db.transaction(() => {
        setCount('portfolio_value', value)
        const peak = counter('portfolio_peak')
        if (peak === null || value > peak) setCount('portfolio_peak', value)
      }).immediate()
    },
    halt(reason) {
      const s = readState()
      const cause: BreakerCause = { kind: 'manual_halt', detail: reason }
      return write(
        {
          state: 'open',
          causes: [...s.causes.filter((c) => c.kind !== 'manual_halt'), cause],
          openedAt: s.openedAt ?? now(),
          resetEligibleAt: null,
          manualHalt: reason,
        },
        'manual_halt',
        [cause],
        reason,
      )
    },
    release(reason) {
      const s = readState()
      if (s.manualHalt === null) return s
      const rest = s.causes.filter((c) => c.kind !== 'manual_halt')
      // Opened only by hand: closing by hand is immediate. Otherwise the automatic rules still apply.
      const next: BreakerStatus =
        rest.length === 0
          ? { state: 'closed', causes: [], openedAt: null, resetEligibleAt: null, manualHalt: null }
          : { ...s, causes: rest, manualHalt: null }
      return write(next, 'manual_release', [], reason)
    },
    evaluate(signals) {
      const s = readState()
      const active = activeCauses(signals)
      if (s.state === 'closed') {
        if (active.length === 0) return s
        return write(
          { state: 'open', causes: active, openedAt: now(), resetEligibleAt: null, manualHalt: null },
          'trip',
          active,
          active.map((c) => c.detail).join('; '),
        )
      }
      const known = new Set(s.causes.map((c) => c.kind))
      const added = active.filter((c) => !known.has(c.kind))
      let cur = s
      if (added.length > 0) {
        cur = write(
          { ...s, causes: [...s.causes, ...added] },
          'cause_added',
          added,
          added.map((c) => c.detail).join('; '),
        )
      }
      const timedOut = now() >= (cur.openedAt ?? 0) + config.circuitBreakerTimeoutMs
      const blocking = active.filter((c) => c.kind !== 'consecutive_failures' || !timedOut)
      if (cur.manualHalt !== null || !timedOut || blocking.length > 0) return cur
      setCount('consecutive_failures', 0n)
      return write(
        { state: 'closed', causes: [], openedAt: null, resetEligibleAt: null, manualHalt: null },
        'reset',
        cur.causes,
        `open since ${new Date(cur.openedAt ?? 0).toISOString()}; every cause cleared`,
      )
    },
    activeCauses,
    status: readState,
    events(limit = 100) {
      const rows = db
        .prepare('SELECT id, at, kind, causes, detail FROM risk_breaker_events ORDER BY id DESC LIMIT ?')
        .all(limit) as { id: number; at: number; kind: BreakerEvent['kind']; causes: string; detail: string }[]
      return rows.reverse().map((r) => ({ ...r, causes: JSON.parse(r.causes) as BreakerCause[] }))
    },
    gasSpentToday,
  }
}
