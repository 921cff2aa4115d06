// A read-only view of the bot's state database for `bot status|jobs|history|explain`: no chains, no devnet.
import pino from 'pino'
import type { BotConfig } from '../config/schema.ts'
import { createCircuitBreaker, type CircuitBreaker } from '../risk/circuit-breaker.ts'
import { createScheduler, type Scheduler } from '../scheduler/index.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { AppError } from '../errors/app-error.ts'
import { BOT_TASK_TYPES } from './runtime.ts'
import { breakerConfig, retentionOf } from './runtime-config.ts'
import { wireStores } from './store-wiring.ts'

/** The parts of a runtime the read commands use. */
export interface StateView {
  db: Db
  scheduler: Scheduler
  breaker: CircuitBreaker
  close(): Promise<void>
}

/**
 * Opens the state database and loads the stored jobs into a scheduler that is never started, so reading
 * state neither starts a devnet nor connects to any RPC, and runs nothing.
 */
export function openStateView(config: BotConfig): StateView {
  const db = openDatabase({ path: config.store.path })
  const logger = pino({ level: 'silent' })
  // Retention as the runtime has it, so `bot housekeeping` prunes by the same rules (the view never starts).
  const stores = wireStores(config, db, { view: true })
  const scheduler = createScheduler({
    store: stores.store,
    cluster: stores.cluster?.scheduler,
    logger,
    retention: retentionOf(config),
    view: true,
  })
  // The view validates jobs against the real catalog's names; it never starts, so these handlers never run.
  for (const type of BOT_TASK_TYPES) {
    scheduler.registerTask({
      type,
      handler: () => Promise.reject(new AppError('STATE_VIEW', 'the state view does not run tasks')),
    })
  }
  const local = createCircuitBreaker({ db, config: breakerConfig(config) })
  const breaker = stores.cluster ? stores.cluster.shareBreaker(local) : local
  return {
    db,
    scheduler,
    breaker,
    close: async () => {
      await scheduler.stop({ graceMs: 0 })
      stores.close()
    },
  }
}
