// Liveness and readiness: the database answers, each chain's RPC answers with the right chain id, the loop runs.
import type { PublicClient } from 'viem'
import type { Db } from '../store/database.ts'
import type { Scheduler } from '../scheduler/index.ts'

/** One check's result. */
export interface HealthCheck {
  name: string
  ok: boolean
  detail: string
  ms: number
}

/** The health answer: `ready` only when every check passed. */
export interface HealthReport {
  live: true
  ready: boolean
  checks: HealthCheck[]
}

/** What the checks probe. */
export interface HealthDeps {
  db: Db
  scheduler: Pick<Scheduler, 'health'>
  chains: { chainId: number; client: PublicClient }[]
  /** A due fire left unhandled this long means the loop is stuck. */
  overdueToleranceMs?: number
  rpcTimeoutMs?: number
}

/** Runs every check concurrently; an RPC that does not answer within the timeout fails its check. */
export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const timed = async (name: string, fn: () => Promise<string> | string): Promise<HealthCheck> => {
    const t0 = performance.now()
    try {
      return { name, ok: true, detail: await fn(), ms: Math.round(performance.now() - t0) }
    } catch (err) {
      return {
        name,
        ok: false,
        detail: err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : 'failed',
        ms: Math.round(performance.now() - t0),
      }
    }
  }
  const timeout = deps.rpcTimeoutMs ?? 2_000
  const checks = await Promise.all([
    timed('database', () => {
      deps.db.prepare('SELECT 1').get()
      return 'ok'
    }),
    timed('scheduler', () => {
      const h = deps.scheduler.health()
      if (!h.running) throw new Error('scheduler loop is not running')
      if (!h.storeOk) throw new Error('scheduler store writes are failing')
      if (h.overdueMs > (deps.overdueToleranceMs ?? 30_000))
        throw new Error(`a due fire is ${Math.round(h.overdueMs / 1000)} s overdue: the loop looks stuck`)
      return h.lastLoopAt === null
        ? 'running (idle)'
        : `last loop ${Math.round((Date.now() - h.lastLoopAt) / 1000)} s ago`
    }),
    ...deps.chains.map((c) =>
      timed(`rpc:${c.chainId}`, async () => {
        let timer: NodeJS.Timeout | undefined
        const id = await Promise.race([
          c.client.getChainId(),
          new Promise<never>((_r, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout)
          }),
        ]).finally(() => clearTimeout(timer))
        if (id !== c.chainId) throw new Error(`RPC reports chain id ${id}, expected ${c.chainId}`)
        return `chain id ${id}`
      }),
    ),
  ])
  return { live: true, ready: checks.every((c) => c.ok), checks }
}
