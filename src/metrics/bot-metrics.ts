// Prometheus metrics of the bot on a private prom-client registry: scheduler events, gate decisions, risk, tx journal.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Db } from '../store/database.ts'
import type { Scheduler } from '../scheduler/index.ts'
import type { RunView } from '../scheduler/index.ts'
import type { CircuitBreaker } from '../risk/circuit-breaker.ts'
import type { RiskManager } from '../risk/risk-manager.ts'
import { reasonKind } from '../bot/report-views.ts'
import type { RpcCounter } from '../chain/rpc-counter.ts'

/** What the collectors observe. */
export interface BotMetricsDeps {
  scheduler: Pick<Scheduler, 'on' | 'listJobs'>
  breaker: Pick<CircuitBreaker, 'status'>
  risk: Pick<RiskManager, 'latest'>
  /** The state database: transaction metrics come from the intent journal, the durable truth about sends. */
  db: Db
  /** JSON-RPC requests per chain and method, when the runtime counts them. */
  rpc?: Pick<RpcCounter, 'byMethod'>
}

/** The metrics endpoint's source. */
export interface BotMetrics {
  registry: Registry
  contentType: string
  render(): Promise<string>
  close(): void
}

const seconds = (ms: number) => Math.max(0, ms) / 1_000
const OPEN = "('prepared','signed','broadcast','unknown','mined')"

/** Creates the collectors and subscribes to the scheduler; `close()` unsubscribes. */
export function createBotMetrics(deps: BotMetricsDeps): BotMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'bot_process_' })
  const runs = new Counter({
    name: 'bot_runs_total',
    help: 'Finished runs by job and status',
    labelNames: ['job', 'status'],
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'bot_run_duration_seconds',
    help: 'Run duration, start to end',
    labelNames: ['job'],
    buckets: [0.005, 0.05, 0.25, 1, 5, 15, 60, 300],
    registers: [registry],
  })
  const lag = new Histogram({
    name: 'bot_trigger_lag_seconds',
    help: 'Scheduled fire time to handler start (includes gate delays)',
    buckets: [0.001, 0.002, 0.005, 0.02, 0.1, 1, 10, 60, 600],
    registers: [registry],
  })
  const retries = new Counter({
    name: 'bot_retries_total',
    help: 'Retry attempts by job',
    labelNames: ['job'],
    registers: [registry],
  })
  const decisions = new Counter({
    name: 'bot_gate_decisions_total',
    help: 'Runs delayed, held (halted), skipped or thinned, by reason kind',
    labelNames: ['decision', 'reason'],
    registers: [registry],
  })
  new Gauge({
    name: 'bot_breaker_open',
    help: '1 when the circuit breaker is open (sending halted)',
    registers: [registry],
    collect() {
      this.set(deps.breaker.status().state === 'open' ? 1 : 0)
    },
  })
  new Gauge({
    name: 'bot_gas_base_fee_gwei',
    help: 'Latest base fee seen per chain',
    labelNames: ['chain'],
    registers: [registry],
    collect() {
      this.reset()
      for (const g of Object.values(deps.risk.latest()?.gas ?? {}))
        if (g.baseFee !== null) this.set({ chain: String(g.chainId) }, Number(g.baseFee) / 1e9)
    },
  })
  new Gauge({
    name: 'bot_risk_score',
    help: 'Latest risk score 0..100',
    registers: [registry],
    collect() {
      const a = deps.risk.latest()
      if (a) this.set(a.riskScore)
    },
  })
  new Gauge({
    name: 'bot_jobs',
    help: 'Jobs by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const jobs = deps.scheduler.listJobs()
      this.set({ state: 'enabled' }, jobs.filter((j) => j.enabled).length)
      this.set({ state: 'paused' }, jobs.filter((j) => j.paused).length)
      this.set(
        { state: 'running' },
        jobs.reduce((s, j) => s + j.activeRuns, 0),
      )
    },
  })
  const txCount = deps.db
    .prepare(`SELECT chain_id AS chain, kind, status, COUNT(*) AS n, SUM(broadcast_count > 0) AS sent
    FROM tx_intents WHERE dry_run = 0 GROUP BY chain_id, kind, status`)
  new Gauge({
    name: 'bot_tx',
    help: 'Journaled transactions by chain and event (sent, confirmed, replaced, failed, dropped)',
    labelNames: ['chain', 'event'],
    registers: [registry],
    collect() {
      this.reset()
      const add = (chain: string, event: string, n: number) => this.inc({ chain, event }, n)
      for (const r of txCount.all() as { chain: number; kind: string; status: string; n: number; sent: number }[]) {
        const chain = String(r.chain)
        add(chain, 'sent', r.sent)
        if (r.status === 'confirmed') add(chain, 'confirmed', r.n)
        if (r.status === 'failed' || r.status === 'needs_attention') add(chain, 'failed', r.n)
        if (r.status === 'dropped') add(chain, 'dropped', r.n)
        if (r.kind === 'replacement') add(chain, 'replaced', r.n)
      }
    },
  })
  const depth = deps.db.prepare(`SELECT chain_id AS chain, from_addr AS wallet, COUNT(*) AS n FROM tx_intents
    WHERE dry_run = 0 AND status IN ${OPEN} GROUP BY chain_id, from_addr`)
  new Gauge({
    name: 'bot_nonce_lane_depth',
    help: 'Transactions in flight per (chain, wallet) lane',
    labelNames: ['chain', 'wallet'],
    registers: [registry],
    collect() {
      this.reset()
      for (const r of depth.all() as { chain: number; wallet: string; n: number }[])
        this.set({ chain: String(r.chain), wallet: r.wallet }, r.n)
    },
  })

  if (deps.rpc) {
    const rpc = deps.rpc
    new Gauge({
      name: 'bot_rpc_requests',
      help: 'JSON-RPC requests sent since start, by chain and method (a counter read at scrape time)',
      labelNames: ['chain', 'method'],
      registers: [registry],
      collect() {
        this.reset()
        for (const r of rpc.byMethod()) this.set({ chain: String(r.chainId), method: r.method }, r.count)
      },
    })
  }
  const perTick = new Gauge({
    name: 'bot_rpc_calls_last_tick',
    help: 'JSON-RPC requests sent during the latest market tick, by chain',
    labelNames: ['chain'],
    registers: [registry],
  })
  const finished = (status: string) => (p: { jobId: string; run: RunView }) => {
    runs.inc({ job: p.jobId, status })
    if (p.run.startedAt !== null && p.run.endedAt !== null)
      duration.observe({ job: p.jobId }, seconds(p.run.endedAt - p.run.startedAt))
  }
  const decided = (decision: string) => (p: { reason: string }) =>
    decisions.inc({ decision, reason: reasonKind(p.reason) })
  const s = deps.scheduler
  const offs = [
    s.on('succeeded', (p) => {
      const calls = (p.result as { rpcCalls?: Record<string, number> } | null)?.rpcCalls
      if (calls && typeof calls === 'object') for (const [chain, n] of Object.entries(calls)) perTick.set({ chain }, n)
    }),
    s.on('succeeded', finished('succeeded')),
    s.on('failed', finished('failed')),
    s.on('cancelled', finished('cancelled')),
    s.on('missed', (p) => runs.inc({ job: p.jobId, status: 'missed' }, p.count)),
    s.on('needs_attention', finished('needs_attention')),
    s.on('retrying', (p) => retries.inc({ job: p.jobId })),
    s.on('started', (p) => {
      if (p.run.scheduledFor !== null && p.run.startedAt !== null && p.run.attempt <= 1)
        lag.observe(seconds(p.run.startedAt - p.run.scheduledFor))
    }),
    s.on('delayed', decided('delayed')),
    s.on('held', decided('held')),
    s.on('skipped', decided('skipped')),
  ]
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    close() {
      for (const off of offs) off()
    },
  }
}
