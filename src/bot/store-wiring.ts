// Which stores the bot runs on: SQLite in the state file (default), the scheduler on PostgreSQL (one instance),
// or a cluster on PostgreSQL (scheduler, journal, lane leases and breaker shared by several instances).
import type { LocalAccount } from 'viem'
import type { IntentJournal } from '../chain/intent-types.ts'
import type { LaneOwnership } from '../chain/intent-types.ts'
import type { BotConfig } from '../config/schema.ts'
import type { Logger } from '../logging/logger.ts'
import type { CircuitBreaker } from '../risk/circuit-breaker.ts'
import type { ClusterOptions } from '../scheduler/index.ts'
import type { SchedulerStore } from '../scheduler/index.ts'
import type { Db } from '../store/database.ts'
import { createPgCoordinator, defaultInstanceId } from '../store/postgres/pg-cluster.ts'
import { createPgIntentJournal } from '../store/postgres/pg-intent-journal.ts'
import { createPgLaneLeases } from '../store/postgres/pg-lanes.ts'
import { shareBreaker } from '../store/postgres/pg-shared-breaker.ts'
import { createPostgresSchedulerStore } from '../store/postgres/postgres-scheduler-store.ts'
import { createSyncPg } from '../store/postgres/sync-pg.ts'
import { createSqliteSchedulerStore } from '../store/sqlite-scheduler-store.ts'

/** The stores and cluster parts a runtime (or a read-only view) is built on. */
export interface StoreWiring {
  store: SchedulerStore
  /** Set in cluster mode. */
  cluster?: {
    instanceId: string
    scheduler: ClusterOptions
    journal: IntentJournal
    lanes: LaneOwnership
    shareBreaker(local: CircuitBreaker): CircuitBreaker
  }
  /** Closes what the wiring opened (after the scheduler stopped). */
  close(): void
}

/** Jobs sending from one wallet share a group, so one instance at a time sends from it. */
function walletKey(wallets: ReadonlyMap<string, LocalAccount>) {
  return (spec: { args?: unknown }): string | null => {
    const w = (spec.args as { wallet?: unknown } | undefined)?.wallet
    if (typeof w !== 'string') return null
    return `wallet:${(wallets.get(w)?.address ?? w).toLowerCase()}`
  }
}

/**
 * Opens the configured stores. `view` is the CLI's read-only state view: in a cluster it holds no lease, and its
 * controls (pause, priority...) and manual runs go to the running instances.
 */
export function wireStores(
  config: BotConfig,
  db: Db,
  o: { wallets?: ReadonlyMap<string, LocalAccount>; logger?: Logger; view?: boolean },
): StoreWiring {
  if (config.store.kind !== 'postgres') {
    return { store: createSqliteSchedulerStore({ db, backgroundCheckpoints: !o.view }), close: () => undefined }
  }
  const c = config.store.cluster
  if (!c) return { store: createPostgresSchedulerStore({ url: config.store.url }), close: () => undefined }
  const pg = createSyncPg(config.store.url!)
  // The view names itself apart from the instance sharing its config, or that instance would skip its controls as its own.
  const instanceId = o.view ? defaultInstanceId() : (c.instanceId ?? defaultInstanceId())
  // The store shares the connection (the wiring closes it once the lanes gave their leases back); an instance's
  // writes are fenced by its group leases, the view's are hand-offs only.
  const store = {
    ...createPostgresSchedulerStore({ pg, fenceOwner: o.view ? undefined : instanceId }),
    close: () => undefined,
  }
  const coordinator = createPgCoordinator({ pg, instanceId, leaseMs: c.leaseMs, passive: o.view })
  const lanes = o.view ? null : createPgLaneLeases({ pg, instanceId: coordinator.instanceId, leaseMs: c.leaseMs })
  return {
    store,
    cluster: {
      instanceId: coordinator.instanceId,
      scheduler: { coordinator, heartbeatMs: c.heartbeatMs, groupKey: walletKey(o.wallets ?? new Map()) },
      journal: createPgIntentJournal({ pg, instanceId: coordinator.instanceId }),
      lanes: lanes ?? { acquire: () => Promise.reject(new Error('the state view does not send')) },
      shareBreaker: (local) => shareBreaker(local, { pg, instanceId: coordinator.instanceId, logger: o.logger }),
    },
    close() {
      lanes?.close()
      pg.close()
    },
  }
}
