// Composition root: config -> environment -> database -> engine, risk, scheduler facade and task catalog.
import { dirname } from 'node:path'
import type { PublicClient } from 'viem'
import { createTxEngine, type TxEngine } from '../chain/tx-engine.ts'
import { createSpendPolicyGuard } from '../chain/tx-policy.ts'
import { defineSendCallsTask } from '../chain/tx-task.ts'
import { createWalletTurns } from '../chain/wallet-turns.ts'
import type { BotConfig } from '../config/schema.ts'
import type { Logger } from '../logging/logger.ts'
import type { CircuitBreaker } from '../risk/circuit-breaker.ts'
import type { RiskManager } from '../risk/risk-manager.ts'
import { noopTask } from '../scheduler/index.ts'
import { createEscalationHook } from '../scheduler/index.ts'
import type { JobSpecInput } from '../scheduler/index.ts'
import type { DispatchGate } from '../scheduler/index.ts'
import { createScheduler, type Scheduler } from '../scheduler/index.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { createDefaultRegistry } from '../../protocols/index.ts'
import { createCentralScheduler, type CentralScheduler } from './central-scheduler.ts'
import { bindStateToDevnet, devnetIdentity } from './devnet-state.ts'
import type { Devnet } from '../devnet/devnet.ts'
import type { DynamicPolicyConfig } from './dynamic-policy.ts'
import { policyFromConfig, retentionOf, toJobSpec } from './runtime-config.ts'
import { wireRisk } from './risk-wiring.ts'
import { resolveEnvironment, type BotEnvironment } from './environment.ts'
import { createRunCallsStore } from './run-calls.ts'
import { defineMarketTickTask } from './tasks/market-tick.ts'
import { defineProtocolCallTask } from './tasks/protocol-call.ts'
import { defineRebalanceTask } from './tasks/rebalance.ts'
import { checkAfterRestore } from './restore-check.ts'
import { createUpkeep } from './upkeep.ts'
import { wireStores } from './store-wiring.ts'
import { createEventWatcher, type EventWatcher } from './event-watch.ts'
import type { Housekeeper } from '../housekeeping/housekeeper.ts'
import { wireNotify, type BotNotify } from './notify-wiring.ts'
import { createHistoryRecorder, type HistoryRecorder } from '../history/index.ts'

/** A composed, not yet started bot. */
export interface BotRuntime {
  config: BotConfig
  env: BotEnvironment
  db: Db
  engine: TxEngine
  risk: RiskManager
  breaker: CircuitBreaker
  facade: CentralScheduler
  /** The dynamic policy in force (caps, default max delay): `--once` bounds its wait by it. */
  policy: DynamicPolicyConfig
  scheduler: Scheduler
  clients: Record<number, PublicClient>
  housekeeper: Housekeeper
  /** Watches prices, gas and logs for event-triggered jobs. */
  events: EventWatcher
  /** Writes the dashboard's chart history (base fees, balances, fees paid, due-time base fees). */
  history: HistoryRecorder
  /** Where scheduled and `bot backup` backups go by default. */
  backupDir: string
  /** Operator notifications (`notify:` in the config); inert without channels. */
  notify: BotNotify
  /** Reconciles open intents, then starts the scheduler (recovery of interrupted runs included). */
  start(): Promise<void>
  /** Stops the scheduler (grace period), closes the database and stops the devnet. */
  close(options?: { graceMs?: number }): Promise<void>
}

/** Options of createBotRuntime. */
export interface RuntimeOptions {
  logger: Logger
  /** Override of config.store.path (dry runs use a throwaway copy). */
  dbPath?: string
  rpcOverrides?: Record<number, string>
  /** Attach to this running embedded devnet instead of starting one (tests restarting a bot on the same chains). */
  devnet?: Devnet
  promptPassphrase?: (path: string) => Promise<string>
  /** Dry run on forks: wallets whose address is known without a secret run keyless (see EnvironmentOptions). */
  keyless?: boolean
  /** The chains are a dry run's separate forks (bridge arrivals cannot happen; see ProtocolCallDeps). */
  isolatedForks?: boolean
  env?: NodeJS.ProcessEnv
  /** Wraps the dispatch gate (dry runs turn waits into reported refusals and snapshot balances per job). */
  wrapGate?: (gate: DispatchGate) => DispatchGate
  /** Overrides of the dynamic policy (tests shorten the re-check interval). */
  policy?: Partial<DynamicPolicyConfig>
  /** Overrides config.scheduler.maxConcurrentJobs (dry runs go one job at a time to attribute balance changes). */
  maxConcurrentJobs?: number
  /** False turns notifications off (dry runs must not alert anyone). */
  notify?: boolean
}

/** Task types the bot registers (the state view validates added jobs against these names). */
export const BOT_TASK_TYPES = [
  'noop',
  'send_calls',
  'protocol_call',
  'market_tick',
  'rebalance',
  'housekeeping',
  'backup',
] as const

/** Margin over the gas estimate for calls with data. */
const GAS_MARGIN_PCT = 50

/** Builds the whole bot from a validated config. Nothing is sent until `start()`. */
export async function createBotRuntime(config: BotConfig, options: RuntimeOptions): Promise<BotRuntime> {
  const dbPath = options.dbPath ?? config.store.path
  const env = await resolveEnvironment(config, {
    stateDir: dirname(dbPath),
    rpcOverrides: options.rpcOverrides,
    devnet: options.devnet,
    promptPassphrase: options.promptPassphrase,
    keyless: options.keyless,
    env: options.env,
  })
  const log = options.logger
  try {
    const d = env.devnet
    if (d) bindStateToDevnet(dbPath, await devnetIdentity([d.l1, d.l2]), log)
    const db = openDatabase({ path: dbPath })
    const stores = wireStores(config, db, { wallets: env.wallets, logger: log })
    const clustered = stores.cluster
    const clients: Record<number, PublicClient> = Object.fromEntries(env.chains.map((c) => [c.chainId, c.client]))
    const engine = createTxEngine({
      db,
      journal: clustered?.journal,
      lanes: clustered?.lanes,
      logger: log,
      signers: [...env.wallets.values()],
      policy: createSpendPolicyGuard(env.chains.map((c) => c.policy)),
      chains: env.chains.map((c) => ({
        chainId: c.chainId,
        client: c.client,
        confirmations: c.confirmations,
        fees: { maxFeePerGas: c.maxFeePerGas },
        pollMs: env.devnet ? 50 : 1_000,
        // anvil's txpool can park a transaction that arrives while its predecessor is mined ("queued" at the
        // chain's nonce, rebroadcasts "already known"); only a fee bump's new bytes free it, so bump sooner there.
        ...(env.devnet ? { stuckAfterMs: 10_000 } : {}),
        // An estimate taken in the head block's second misses state a new block adds (Uniswap V2's first swap
        // of a block writes its price accumulators: +40k gas); unused gas is refunded, running out is not.
        gasMarginPct: GAS_MARGIN_PCT,
      })),
    })
    const { risk, breaker } = await wireRisk({ config, env, db, clients, cluster: clustered, logger: log })
    // Samples at a bounded rate; the devnet's short demo runs sample more often so charts fill within minutes.
    const history = createHistoryRecorder({
      db,
      clients,
      wallets: [...env.wallets.values()].map((w) => w.address),
      book: env.book,
      logger: log,
      ...(env.devnet ? { baseFeeEveryMs: 5_000, balanceEveryMs: 15_000 } : {}),
    })
    const policy = { ...policyFromConfig(config), ...options.policy }
    const facade = createCentralScheduler({
      risk,
      policy,
      onDecision: (runId, run, d, market) => {
        if (d.action === 'delay' && d.code.startsWith('gas_'))
          history.onGasDelay({ runId, chainId: run.chainId, dueAt: run.dueAt, gas: market.gas[run.chainId] })
      },
    })
    const s = config.scheduler
    const scheduler = createScheduler({
      store: stores.store,
      cluster: clustered?.scheduler,
      logger: log,
      gate: options.wrapGate ? options.wrapGate(facade.gate) : facade.gate,
      maxConcurrentJobs: options.maxConcurrentJobs ?? s.maxConcurrentJobs,
      defaultMaxRetries: s.defaultMaxRetries,
      defaultRetryDelay: s.defaultRetryDelay,
      maxRetryDelay: s.maxRetryDelay,
      resourcePools: s.resourcePools,
      shutdownGraceMs: s.shutdownGraceMs,
      retention: retentionOf(config),
      onEscalation: createEscalationHook({ logger: log }),
    })
    facade.bind(scheduler)
    scheduler.on('succeeded', () => breaker.recordJobResult(true))
    scheduler.on('failed', () => breaker.recordJobResult(false))
    const runCalls = createRunCallsStore(db)
    const upkeep = createUpkeep({ config, db, dbPath, scheduler: () => scheduler })
    const events = createEventWatcher({ scheduler, db, clients, logger: log, pollMs: env.devnet ? 250 : 4_000 })
    // One turn per wallet and chain, whichever task sends: a protocol call and a list of calls built apart must not
    // interleave their approvals and spends either.
    const turns = createWalletTurns()
    for (const def of [
      noopTask,
      defineSendCallsTask(engine, { turns }),
      defineProtocolCallTask({
        turns,
        engine,
        registry: createDefaultRegistry(),
        clients,
        wallets: env.wallets,
        book: env.book,
        runCalls,
        isolatedForks: options.isolatedForks,
        onGasSpent: (chainId, wei) => breaker.recordGasSpend(chainId, wei),
      }),
      defineMarketTickTask({
        risk,
        facade,
        onAssessment: (a) => {
          events.onAssessment(a)
          history.onAssessment(a)
        },
        rpcTotals: () => env.rpcCalls.totals(),
      }),
      defineRebalanceTask({ scheduler: () => scheduler, clients, wallets: env.wallets, book: env.book }),
      ...upkeep.tasks,
    ])
      scheduler.registerTask(def)
    scheduler.addJobs([...config.jobs.map(toJobSpec), ...upkeep.jobs], { ifExists: 'replace' })
    const notify = wireNotify({
      config: options.notify === false ? { ...config, notify: { ...config.notify, channels: [] } } : config,
      db,
      env,
      journal: engine.journal,
      scheduler,
      logger: log,
      processEnv: options.env,
    })
    let closing: Promise<void> | undefined
    return {
      config,
      env,
      db,
      engine,
      risk,
      breaker,
      facade,
      policy,
      scheduler,
      clients,
      housekeeper: upkeep.housekeeper,
      backupDir: upkeep.backupDir,
      events,
      notify,
      history,
      async start() {
        await checkAfterRestore({ db, breaker, clients, wallets: env.wallets.values(), logger: log })
        await notify.start(async () => {
          // In a cluster each lane is reconciled when this instance takes its lease (peers may be sending on it now).
          const reconciled = clustered ? [] : await engine.reconcileOpenIntents()
          await scheduler.start()
          return { reconciledIntents: reconciled.length }
        })
        events.start()
      },
      close: (o) =>
        (closing ??= (async () => {
          events.stop()
          try {
            await notify.stop('shutdown').catch(() => undefined)
            await scheduler.stop({ graceMs: o?.graceMs })
            notify.detach()
            await history.idle()
            stores.close()
          } finally {
            await env.close()
          }
        })()),
    }
  } catch (err) {
    await env.close()
    throw err
  }
}
