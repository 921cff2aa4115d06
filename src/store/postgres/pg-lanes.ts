// Nonce-lane leases on PostgreSQL: one instance at a time sends from a (chain, wallet). A lease is taken before
// a send, renewed by heartbeat, given back when the lane is idle and nothing of it is being driven here, and taken
// over when its holder's lease lapsed. Either way the next holder reconciles the lane's open intents before its
// first new send, so intents left open here (their run was dropped when this instance lost its group) are driven
// there; keeping the lane until they close would block it for good, as nobody here drives them any more.
import type { LaneOwnership } from '../../chain/intent-types.ts'
import type { SyncPg } from './sync-pg.ts'

/** Options of the lane leases. */
export interface PgLaneLeaseOptions {
  pg: SyncPg
  instanceId: string
  /** Lease length (default 10 s); renewed every third of it. */
  leaseMs?: number
  /** A lane unused this long, with no intent of it being driven here, is given back (default 30 s). */
  idleMs?: number
  /** How often a waiting send asks again (default 200 ms). */
  retryMs?: number
  now?: () => number
}

/** Creates the leases; `close()` stops the renewals and gives every lane back. */
export function createPgLaneLeases(o: PgLaneLeaseOptions): LaneOwnership & { close(): void; held(): string[] } {
  const { pg, instanceId: me } = o
  const leaseMs = o.leaseMs ?? 10_000
  const idleMs = o.idleMs ?? 30_000
  const now = o.now ?? Date.now
  const held = new Map<string, { until: number; usedAt: number }>()
  /** Intents being driven here, per lane. */
  const driving = new Map<string, number>()
  const margin = Math.max(500, Math.floor(leaseMs / 4))
  const keyOf = (chainId: number, wallet: string) => `${chainId}:${wallet.toLowerCase()}`

  const tryTake = (chainId: number, wallet: string, t: number): boolean =>
    pg.query(
      `INSERT INTO lane_leases (chain_id, wallet, owner, lease_until)
    VALUES ($1, $2, $3, $4) ON CONFLICT (chain_id, wallet) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
    WHERE lane_leases.owner = EXCLUDED.owner OR lane_leases.lease_until < $5 RETURNING owner`,
      [chainId, wallet.toLowerCase(), me, t + leaseMs, t],
    ).length > 0

  const renew = () => {
    const t = now()
    const kept = new Set(
      pg
        .query<{ chain_id: number; wallet: string }>(
          'UPDATE lane_leases SET lease_until = $2 WHERE owner = $1 RETURNING chain_id, wallet',
          [me, t + leaseMs],
        )
        .map((r) => keyOf(Number(r.chain_id), r.wallet)),
    )
    for (const [k, v] of held) {
      if (!kept.has(k)) held.delete(k)
      else v.until = t + leaseMs
    }
    for (const [k, v] of held) {
      if (t - v.usedAt < idleMs || (driving.get(k) ?? 0) > 0) continue
      const [chain, wallet] = k.split(':') as [string, string]
      pg.query('DELETE FROM lane_leases WHERE owner = $1 AND chain_id = $2 AND wallet = $3', [
        me,
        Number(chain),
        wallet,
      ])
      held.delete(k)
    }
  }
  const timer = setInterval(
    () => {
      try {
        renew()
      } catch {
        /* the next round retries; a lapsed lease is detected by the journal's check */
      }
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  )
  timer.unref()

  return {
    async acquire(chainId, wallet, signal) {
      const k = keyOf(chainId, wallet)
      for (;;) {
        const t = now()
        const h = held.get(k)
        if (h && h.until - t > margin) {
          h.usedAt = t
          return false
        }
        if (tryTake(chainId, wallet, t)) {
          held.set(k, { until: t + leaseMs, usedAt: t })
          // Held before and renewed in time: nothing changed hands. Otherwise the lane is new here: reconcile it.
          return !h
        }
        held.delete(k)
        signal?.throwIfAborted()
        await new Promise((r) => setTimeout(r, o.retryMs ?? 200))
      }
    },
    use(chainId, wallet) {
      const k = keyOf(chainId, wallet)
      driving.set(k, (driving.get(k) ?? 0) + 1)
      let done = false
      return () => {
        if (done) return
        done = true
        const n = (driving.get(k) ?? 1) - 1
        if (n > 0) driving.set(k, n)
        else driving.delete(k)
        // The idle clock starts when the last drive ends, not when the lane was last taken.
        const h = held.get(k)
        if (h) h.usedAt = Math.max(h.usedAt, now())
      }
    },
    held: () => [...held.keys()],
    close() {
      clearInterval(timer)
      try {
        pg.query('UPDATE lane_leases SET lease_until = 0 WHERE owner = $1', [me])
      } catch {
        /* the leases lapse by themselves */
      }
      held.clear()
    },
  }
}
