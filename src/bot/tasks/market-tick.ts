// The `market_tick` task: refresh gas, prices and volatility, then hand the picture to scheduleDynamically.
import type { TaskDefinition } from '../../scheduler/index.ts'
import type { RiskManager } from '../../risk/risk-manager.ts'
import type { RiskAssessment } from '../../risk/assessment.ts'
import type { CentralScheduler } from '../central-scheduler.ts'

const gweiText = (wei: bigint | null | undefined) => (wei === null || wei === undefined ? null : Number(wei) / 1e9)

/** Builds the catalog entry; a tick is read-only, so rerunning it after a crash is safe. */
export function defineMarketTickTask(deps: {
  risk: RiskManager
  facade: CentralScheduler
  onAssessment?: (a: RiskAssessment) => void
  /** JSON-RPC requests sent so far per chain: the tick reports how many it cost. */
  rpcTotals?: () => Record<number, number>
}): TaskDefinition {
  return {
    type: 'market_tick',
    description: 'assess market and bot health, then re-decide delayed, thinned and held jobs',
    recovery: 'rerun',
    async handler() {
      const before = deps.rpcTotals?.() ?? {}
      const assessment = await deps.risk.assessCurrentRisk()
      deps.facade.scheduleDynamically({ now: assessment.at, gas: assessment.gas }, assessment)
      // Event triggers on prices and gas are evaluated on every tick.
      deps.onAssessment?.(assessment)
      return {
        riskScore: assessment.riskScore,
        breaker: assessment.circuitBreaker.state,
        volatility: assessment.volatility.level,
        gasGwei: Object.fromEntries(
          Object.entries(assessment.gas).map(([id, g]) => [id, { status: g.status, baseFee: gweiText(g.baseFee) }]),
        ),
        reasons: assessment.reasons,
        rpcCalls: Object.fromEntries(
          Object.entries(deps.rpcTotals?.() ?? {}).map(([id, n]) => [id, n - (before[Number(id)] ?? 0)]),
        ),
      }
    },
  }
}
