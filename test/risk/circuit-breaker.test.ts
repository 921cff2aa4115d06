// Circuit breaker against a real SQLite file with the real migrations: trips, causes, timeout reset, restart.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logging/logger.ts'
import { createCircuitBreaker, type CircuitBreakerConfig } from '../../src/risk/circuit-breaker.ts'
import { openDatabase, type Db } from '../../src/store/database.ts'

const CONFIG: CircuitBreakerConfig = {
  riskScoreThreshold: 80,
  maxConsecutiveFailures: 3,
  defaultDailyGasBudgetWei: 10n ** 17n,
  dailyGasBudgetWei: { 10: 10n ** 15n },
  maxDrawdownBps: 2_000,
  circuitBreakerTimeoutMs: 60_000,
}
const CALM = { riskScore: 10, staleOracles: [] }

describe('circuit breaker', () => {
  let dir: string
  let path: string
  let dbs: Db[]
  let clock: number
  const open = () => {
    const db = openDatabase({ path })
    dbs.push(db)
    return db
  }
  const breaker = (db = open(), logger?: ReturnType<typeof createLogger>) =>
    createCircuitBreaker({ db, config: CONFIG, now: () => clock, ...(logger ? { logger } : {}) })

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'breaker-'))
    path = join(dir, 'state.db')
    dbs = []
    clock = Date.UTC(2026, 0, 5, 12, 0, 0)
  })
  afterEach(() => {
    for (const db of dbs) db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('trips after N consecutive failures, survives a restart, and resets after the timeout', () => {
    const lines: string[] = []
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(c, _e, cb) {
          lines.push(String(c))
          cb()
        },
      }),
    })
    const b = breaker(open(), logger)
    b.recordJobResult(false)
    b.recordJobResult(false)
    b.recordJobResult(true) // a success restarts the count
    b.recordJobResult(false)
    b.recordJobResult(false)
    expect(b.evaluate(CALM).state).toBe('closed')
    b.recordJobResult(false)
    const tripped = b.evaluate(CALM)
    expect(tripped).toMatchObject({ state: 'open', openedAt: clock, resetEligibleAt: clock + 60_000 })
    expect(tripped.causes.map((c) => c.kind)).toEqual(['consecutive_failures'])
    dbs[0]!.close()
    dbs = []

    // restart: a new process opens the same file
    clock += 30_000
    const again = breaker(open(), logger)
    expect(again.status().state).toBe('open')
    expect(again.evaluate(CALM).state).toBe('open') // timeout not reached
    clock += 30_000
    const reset = again.evaluate(CALM)
    expect(reset.state).toBe('closed')
    expect(again.events().map((e) => e.kind)).toEqual(['trip', 'reset'])
    expect(again.events()[0]!.causes[0]!.detail).toMatch(/3 job failures in a row/)
    // half-open: the count restarted, so one more failure does not re-trip
    again.recordJobResult(false)
    expect(again.evaluate(CALM).state).toBe('closed')
    expect(lines.some((l) => l.includes('circuit breaker trip') && l.includes('"level":"warn"'))).toBe(true)
    expect(lines.some((l) => l.includes('circuit breaker reset'))).toBe(true)
  })

  it('does not reset while a cause is still active, even after the timeout', () => {
    const b = breaker()
    expect(b.evaluate({ riskScore: 85, staleOracles: [] }).causes[0]!.kind).toBe('risk_score')
    clock += 120_000
    expect(b.evaluate({ riskScore: 81, staleOracles: [] }).state).toBe('open')
    const more = b.evaluate({ riskScore: 81, staleOracles: ['gas oracle chain 1: stale'] })
    expect(more.causes.map((c) => c.kind)).toEqual(['risk_score', 'stale_oracle'])
    expect(b.evaluate({ riskScore: 10, staleOracles: ['gas oracle chain 1: stale'] }).state).toBe('open')
    expect(b.evaluate(CALM).state).toBe('closed')
    expect(b.events().map((e) => e.kind)).toEqual(['trip', 'cause_added', 'reset'])
  })

  it('trips on daily gas spend over the per-chain budget and clears the next UTC day', () => {
    const b = breaker()
    b.recordGasSpend(10, 6n * 10n ** 14n)
    b.recordGasSpend(1, 9n * 10n ** 16n) // under the default budget
    expect(b.evaluate(CALM).state).toBe('closed')
    b.recordGasSpend(10, 5n * 10n ** 14n) // 1.1e15 > 1e15
    expect(b.gasSpentToday(10)).toBe(11n * 10n ** 14n)
    const s = b.evaluate(CALM)
    expect(s.causes).toEqual([
      { kind: 'gas_budget', detail: 'chain 10 spent 1100000000000000 wei on gas today, budget 1000000000000000' },
    ])
    clock += 61_000
    expect(b.evaluate(CALM).state).toBe('open') // same day: still over budget
    clock = Date.UTC(2026, 0, 6, 0, 0, 1)
    expect(b.gasSpentToday(10)).toBe(0n)
    expect(b.evaluate(CALM).state).toBe('closed')
  })

  it('trips on drawdown from the recorded peak', () => {
    const b = breaker()
    b.recordPortfolioValue(1_000n)
    b.recordPortfolioValue(1_200n)
    b.recordPortfolioValue(961n)
    expect(b.evaluate(CALM).state).toBe('closed') // 1991 bps
    b.recordPortfolioValue(960n) // exactly 2000 bps
    expect(b.evaluate(CALM).causes[0]).toEqual({
      kind: 'drawdown',
      detail: 'portfolio 2000 bps below its peak (limit 2000)',
    })
    clock += 60_000
    b.recordPortfolioValue(1_100n)
    expect(b.evaluate(CALM).state).toBe('closed')
  })

  it('a manual halt holds past the timeout until released, and is visible to another connection', () => {
    const b = breaker()
    b.halt('operator: investigating bridge')
    const other = breaker() // e.g. the CLI process
    expect(other.status()).toMatchObject({ state: 'open', manualHalt: 'operator: investigating bridge' })
    clock += 10 * 60_000
    expect(b.evaluate(CALM).state).toBe('open')
    expect(other.release('operator: resolved').state).toBe('closed')
    expect(b.status().state).toBe('closed')
    expect(b.events().map((e) => e.kind)).toEqual(['manual_halt', 'manual_release'])
  })

  it('a release keeps the breaker open while an automatic cause remains', () => {
    const b = breaker()
    b.evaluate({ riskScore: 95, staleOracles: [] })
    b.halt('operator')
    const s = b.release('operator done')
    expect(s).toMatchObject({ state: 'open', manualHalt: null })
    clock += 60_000
    expect(b.evaluate(CALM).state).toBe('closed')
  })
})
