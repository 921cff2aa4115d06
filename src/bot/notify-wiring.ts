// Wires operator notifications into the composed bot: the notifier, its watcher and the scheduler hooks.
import type { Address } from 'viem'
import type { BotConfig } from '../config/schema.ts'
import type { IntentJournal } from '../chain/intent-types.ts'
import type { Logger } from '../logging/logger.ts'
import {
  attachScheduler,
  createNotifier,
  createWatcher,
  notifyStarted,
  notifyStopped,
  type Notifier,
  type StartReport,
} from '../notify/index.ts'
import type { Scheduler } from '../scheduler/index.ts'
import type { Db } from '../store/database.ts'
import type { BotEnvironment } from './environment.ts'

/** The bot's notification side; every method is a no-op when no channel is configured. */
export interface BotNotify {
  notifier: Notifier | null
  /** Starts the sender and the watcher; counts runs the scheduler recovers while `recover` runs. */
  start(recover: () => Promise<{ reconciledIntents: number }>): Promise<void>
  /**
   * Reports the stop, gives the sender a moment to deliver it, and stops both loops. Call it before the scheduler
   * stops (that closes the database); escalations of runs ending in the grace period are still queued and go out
   * on the next start.
   */
  stop(reason: string): Promise<void>
  /** Unsubscribes from the scheduler; call once the scheduler has stopped. */
  detach(): void
}

/** Options of wireNotify. */
export interface NotifyWiringOptions {
  config: BotConfig
  db: Db
  env: BotEnvironment
  journal: IntentJournal
  scheduler: Scheduler
  logger: Logger
  processEnv?: NodeJS.ProcessEnv
}

/** Builds the notifier from `config.notify`; fails at start-up (naming the env var) when a channel's secret is missing. */
export function wireNotify(o: NotifyWiringOptions): BotNotify {
  const cfg = o.config.notify
  if (cfg.channels.filter((c) => c.enabled).length === 0) {
    return {
      notifier: null,
      start: async (recover) => {
        await recover()
      },
      stop: async () => undefined,
      detach: () => undefined,
    }
  }
  const notifier = createNotifier({ config: cfg, db: o.db, env: o.processEnv, logger: o.logger })
  const walletChains = new Map(o.config.wallets.map((w) => [w.name, w.chains]))
  const watcher = createWatcher({
    db: o.db,
    notifier,
    logger: o.logger,
    dailyCapShare: cfg.dailyCapShare,
    txStuckAfterMs: cfg.txStuckAfter,
    wallets: [...o.env.wallets].map(([name, a]) => ({ name, address: a.address, chains: walletChains.get(name) })),
    chains: o.env.chains.map((c) => ({
      chainId: c.chainId,
      name: c.name,
      nativeSymbol: o.config.chains.find((x) => x.id === c.chainId)?.nativeSymbol,
      getBalance: (address) => c.client.getBalance({ address }),
      floorWei: cfg.balanceFloors[String(c.chainId)],
      gasReserveWei: o.config.capital.gasReserve[String(c.chainId)],
      dailyNativeCap: c.policy.dailyNativeCap,
      dailyTokenCaps: tokenCapsOf(c.policy.dailyTokenCaps, o.env.book[c.chainId]?.tokens ?? {}),
    })),
    spentToday: (chainId, wallet) => o.journal.spendSince(chainId, wallet, startOfDay()).native,
    tokensSpentToday: (chainId, wallet) => o.journal.spendSince(chainId, wallet, startOfDay()).tokens,
  })
  const detach = attachScheduler(o.scheduler, notifier, { jobDelayedAfterMs: cfg.jobDelayedAfter })
  return {
    notifier,
    async start(recover) {
      let interrupted = 0
      const off = o.scheduler.on('interrupted', () => {
        interrupted += 1
      })
      let report: StartReport
      try {
        const r = await recover()
        report = { interruptedRuns: interrupted, reconciledIntents: r.reconciledIntents }
      } finally {
        off()
      }
      notifyStarted(notifier, report)
      notifier.start()
      watcher.start(cfg.watchInterval)
    },
    detach,
    async stop(reason) {
      await watcher.stop()
      await notifier.stop()
      notifyStopped(notifier, reason)
      // One last pass so the stop notice leaves now; if it cannot, the outbox sends it on the next start.
      await Promise.race([notifier.sender.flush(), new Promise((r) => setTimeout(r, 3_000).unref())]).catch(
        () => undefined,
      )
    },
  }
}

const startOfDay = () => Math.floor(Date.now() / 86_400_000) * 86_400_000

/** The chain's token caps with the symbol and decimals the book knows them by (an unknown token keeps its address). */
function tokenCapsOf(
  caps: Readonly<Record<string, bigint>>,
  tokens: Record<string, { address: Address; decimals: number }>,
) {
  const bySymbol = Object.entries(tokens)
  return Object.entries(caps).map(([address, cap]) => {
    const known = bySymbol.find(([, t]) => t.address.toLowerCase() === address.toLowerCase())
    return { token: address as Address, symbol: known?.[0] ?? address, decimals: known?.[1].decimals ?? 0, cap }
  })
}
