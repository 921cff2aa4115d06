// The circuit breaker shared by a cluster: each instance keeps its own breaker (its own signals and counters),
// and a trip or halt on any of them is written to one PostgreSQL row that every instance reads, so one trip halts
// all. The row closes again when the instance that tripped resets, or when an operator releases on any instance.
import type { Logger } from '../../logging/logger.ts'
import type { BreakerStatus, CircuitBreaker } from '../../risk/circuit-breaker.ts'
import type { SyncPg } from './sync-pg.ts'

/** Options of the shared breaker. */
export interface SharedBreakerOptions {
  pg: SyncPg
  instanceId: string
  /** How long a read of the shared row is reused (default 500 ms). */
  cacheMs?: number
  now?: () => number
  logger?: Logger
}

interface SharedRow {
  state: 'closed' | 'open'
  reason: string | null
  by_instance: string | null
}

/** Wraps this instance's breaker so its trips reach every instance and theirs reach it. */
export function shareBreaker(local: CircuitBreaker, o: SharedBreakerOptions): CircuitBreaker {
  const { pg, instanceId: me } = o
  const now = o.now ?? Date.now
  let cached: { at: number; row: SharedRow } | null = null
  const read = (): SharedRow => {
    const t = now()
    if (!cached || t - cached.at >= (o.cacheMs ?? 500)) {
      try {
        cached = {
          at: t,
          row: pg.query<SharedRow>('SELECT state, reason, by_instance FROM cluster_breaker WHERE id = 1')[0]!,
        }
      } catch (err) {
        // Fail closed: a breaker whose shared state cannot be read holds sending.
        o.logger?.error({ err }, 'cannot read the shared circuit breaker; treating it as open')
        return { state: 'open', reason: 'the shared breaker state cannot be read', by_instance: null }
      }
    }
    return cached.row
  }
  const write = (state: 'open' | 'closed', reason: string | null) => {
    pg.query(
      'UPDATE cluster_breaker SET state = $1, reason = $2, by_instance = $3, version = version + 1, at = $4 WHERE id = 1',
      [state, reason, me, now()],
    )
    cached = null
  }
  /** Publishes a local transition and folds a peer's open state into what callers see. */
  const merge = (s: BreakerStatus): BreakerStatus => {
    const shared = read()
    if (s.state === 'open' && shared.state === 'closed') {
      write('open', s.manualHalt ?? s.causes.map((c) => `${c.kind}: ${c.detail}`).join('; '))
      return s
    }
    if (s.state === 'closed' && shared.state === 'open' && shared.by_instance === me) {
      write('closed', null)
      return s
    }
    if (s.state === 'closed' && shared.state === 'open') {
      return {
        ...s,
        state: 'open',
        manualHalt: `tripped on instance ${shared.by_instance ?? '?'}: ${shared.reason ?? ''}`,
        openedAt: s.openedAt ?? now(),
      }
    }
    return s
  }
  return {
    ...local,
    evaluate: (signals) => merge(local.evaluate(signals)),
    status: () => merge(local.status()),
    halt: (reason) => merge(local.halt(reason)),
    release(reason) {
      const s = local.release(reason)
      // An operator's release anywhere clears the shared trip too.
      if (s.state === 'closed') write('closed', null)
      return s
    },
  }
}
