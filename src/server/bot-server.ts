// Starts the operations server for a running bot: tokens, audit, control, health, metrics and the dashboard.
import { createAuditLog } from '../access/audit-log.ts'
import type { EnvToken } from '../access/token-store.ts'
import { parseJobConfig, readPresetRaw, parseConfig } from '../config/load.ts'
import { createControl } from '../control/control.ts'
import type { Logger } from '../logging/logger.ts'
import { createBotMetrics } from '../metrics/bot-metrics.ts'
import { startApiServer, type ApiServer } from './api-server.ts'
import type { BotRuntime } from '../bot/runtime.ts'
import { toJobSpec } from '../bot/runtime-config.ts'
import { chartSettings } from '../bot/chart-settings.ts'
import { reportBookOf } from '../bot/report-book.ts'

/** Overrides from the command line. */
export interface ServeOptions {
  port?: number
  logger: Logger
  env?: NodeJS.ProcessEnv
}

/** Starts the server on the runtime's config (`server.*`), `port` overriding it; close it before the runtime. */
export async function startBotServer(
  rt: BotRuntime,
  o: ServeOptions,
): Promise<ApiServer & { closeAll(): Promise<void> }> {
  const cfg = rt.config.server
  const env = o.env ?? process.env
  const envTokens: EnvToken[] = [
    ...(env[cfg.tokenEnv] ? [{ name: 'env-admin', role: 'admin' as const, value: env[cfg.tokenEnv]! }] : []),
    ...cfg.tokens.map((t) => ({ name: t.name, role: t.role, value: env[t.env] ?? '' })),
  ]
  const audit = createAuditLog(rt.db)
  const control = createControl({
    scheduler: rt.scheduler,
    breaker: rt.breaker,
    audit,
    toJobSpec,
    housekeeper: rt.housekeeper,
    parseJob: (raw) => parseJobConfig(raw, 'job'),
    presetJobs: async (name) => (await parseConfig(readPresetRaw(name), `preset ${name}`)).jobs,
  })
  const metrics = createBotMetrics({
    scheduler: rt.scheduler,
    breaker: rt.breaker,
    risk: rt.risk,
    db: rt.db,
    rpc: rt.env.rpcCalls,
  })
  const server = await startApiServer({
    host: cfg.host,
    port: o.port ?? cfg.port,
    dbPath: rt.db.name,
    envTokens,
    protectReads: cfg.protectReads,
    historyFromFile: rt.config.store.kind === 'sqlite',
    charts: chartSettings(rt),
    reports: reportBookOf(rt.config, rt.env.book),
    rateLimit: cfg.rateLimit,
    logger: o.logger,
    scheduler: rt.scheduler,
    breaker: rt.breaker,
    risk: rt.risk,
    facade: rt.facade,
    control,
    audit,
    metrics,
    housekeeper: rt.housekeeper,
    health: {
      db: rt.db,
      scheduler: rt.scheduler,
      chains: Object.entries(rt.clients).map(([id, client]) => ({ chainId: Number(id), client })),
    },
  })
  return {
    ...server,
    async closeAll() {
      await server.close()
      metrics.close()
    },
  }
}
