// The real CliServices: each `bot` command's operations on the composed runtime (scheduler, engine, devnet).
import pino from 'pino'
import type { BotConfig } from '../config/schema.ts'
import { createLogger, type Logger } from '../logging/logger.ts'
import { ValidationError } from '../errors/validation-error.ts'
import type {
  CliServices,
  JobSummary,
  OnceReport,
  ProgressEvent,
  RunRecord as CliRun,
  ServicesFactory,
} from '../bot/services.ts'
import type { JobView, RunView } from '../scheduler/index.ts'
import { createBotRuntime, type BotRuntime } from '../bot/runtime.ts'
import { toJobSpec } from '../bot/runtime-config.ts'
import { acquireStateLock, type StateLock } from '../store/lock.ts'
import { explainJob, statusReport, type StateSource } from '../bot/report-views.ts'
import { openStateView, type StateView } from '../bot/state-view.ts'
import { runDryOnce } from '../bot/dry-run.ts'
import { runMainnetShaped } from './mainnet-shaped-service.ts'
import { reportBookOf } from '../bot/report-book.ts'
import { sendKeysOf, txViewsOfRuns } from '../bot/tx-report.ts'
import { createTokenStore } from '../access/token-store.ts'
import { backupDatabase, restoreDatabase } from '../housekeeping/backup.ts'
import { createUpkeep, defaultBackupDir } from '../bot/upkeep.ts'
import type { Role } from '../access/roles.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { onceWith, waitForRun } from '../bot/once.ts'

/** Maps a scheduler job onto the CLI's summary. */
export function jobSummary(j: JobView, last?: RunView): JobSummary {
  return {
    id: j.id,
    taskType: j.taskType,
    trigger: j.trigger,
    priority: j.priority,
    dependencies: j.dependencies,
    triggerRule: j.triggerRule,
    enabled: j.enabled,
    paused: j.paused,
    nextFireAt: j.nextFireAt,
    lastRun: last ? { status: last.status, finishedAt: last.endedAt, error: last.error ?? undefined } : undefined,
  }
}

/** Maps a scheduler run onto the CLI's run record. */
export function runRecord(r: RunView): CliRun {
  return {
    runId: String(r.id),
    jobId: r.jobId,
    status: r.status,
    attempt: r.attempt,
    scheduledAt: r.scheduledFor,
    startedAt: r.startedAt,
    finishedAt: r.endedAt,
    reason: r.reason ?? (r.gateAction && r.gateAction !== 'run' ? `${r.gateAction}: ${r.gateReason}` : undefined),
    error: r.error ?? undefined,
  }
}

/** Creates the services; the runtime (and the embedded devnet) starts only when an operation needs it. */
export const createBotServices: ServicesFactory = async (deps) => {
  const config = deps.config
  const logger: Logger = createLogger({ level: deps.logLevel, destination: pino.destination(2) })
  let runtime: Promise<BotRuntime> | undefined
  const need = (): BotConfig => {
    if (!config) throw new ValidationError('command', [{ path: 'config', message: 'this command needs a config' }])
    return config
  }
  const rt = () => (runtime ??= createBotRuntime(need(), { logger }))
  let view: StateView | undefined
  let lock: StateLock | undefined
  /** Reads go to the running runtime when this process has one, else to the read-only state view. */
  const state = async (): Promise<StateSource> => (runtime ? rt() : (view ??= openStateView(need())))
  /** Changes need the state lock: a running `bot run` keeps jobs in memory and would overwrite them. */
  const writable = async (): Promise<StateSource> => {
    if (runtime) return rt()
    lock ??= acquireStateLock(need().store.path)
    return state()
  }
  let tokenDb: Db | undefined
  const tokens = async () =>
    createTokenStore((tokenDb ??= runtime ? (await rt()).db : openDatabase({ path: need().store.path })))
  /** The running runtime's book (the live devnet's), else the one the config names. */
  const reportBook = async () => reportBookOf(need(), runtime ? (await rt()).env.book : undefined)
  const lastRun = (r: StateSource, jobId: string) => r.scheduler.listRuns({ jobId, limit: 1 }).runs[0]
  const known = (r: StateSource, jobId: string) => {
    const j = r.scheduler.getJob(jobId)
    if (!j) throw new ValidationError('job id', [{ path: 'job', message: `unknown job "${jobId}" (see \`bot jobs\`)` }])
    return j
  }
  const services: CliServices = {
    async status() {
      return statusReport(await state(), runtime !== undefined)
    },
    async listJobs() {
      const r = await state()
      return r.scheduler.listJobs().map((j) => jobSummary(j, lastRun(r, j.id)))
    },
    async history(q) {
      const r = await state()
      const listed = r.scheduler.listRuns({ jobId: q.jobId, limit: q.limit }).runs
      const txs = r.db ? txViewsOfRuns(r.db, await reportBook(), [...new Set(listed.flatMap(sendKeysOf))]) : []
      return listed.map((v) => {
        const run = runRecord(v)
        const keys = sendKeysOf(v)
        const mine = txs.filter((t) => keys.includes(t.runId))
        return mine.length ? { ...run, transactions: mine } : run
      })
    },
    async explain(jobId) {
      const r = await state()
      known(r, jobId)
      const e = explainJob(r, jobId)
      const last = lastRun(r, jobId)
      const txs = r.db && last ? txViewsOfRuns(r.db, await reportBook(), sendKeysOf(last)) : []
      return txs.length ? { ...e, lastRunTransactions: txs } : e
    },
    async runTask(jobId, o) {
      lock ??= acquireStateLock(need().store.path)
      const r = await rt()
      known(r, jobId)
      await r.start()
      const runId = r.scheduler.runNow(jobId, o.argsOverride)
      return runRecord(await waitForRun(r, runId, o.signal))
    },
    async setJobState(jobId, action) {
      const r = await writable()
      known(r, jobId)
      if (action === 'enable') r.scheduler.enable(jobId)
      else if (action === 'disable') r.scheduler.disable(jobId)
      else if (action === 'pause') r.scheduler.pause(jobId)
      else r.scheduler.resume(jobId)
      return jobSummary(known(r, jobId))
    },
    async addTask(job) {
      const r = await writable()
      return jobSummary(r.scheduler.addJob(toJobSpec(job)))
    },
    async removeTask(jobId) {
      const r = await writable()
      known(r, jobId)
      r.scheduler.removeJob(jobId)
    },
    async loadPreset(_name, preset, o) {
      const r = await writable()
      const added: string[] = []
      const skipped: string[] = []
      for (const job of preset.jobs) {
        if (!o.replace && r.scheduler.getJob(job.id)) {
          skipped.push(job.id)
          continue
        }
        r.scheduler.addJob(toJobSpec(job), { ifExists: 'replace' })
        added.push(job.id)
      }
      return { added, skipped }
    },
    async runOnce(o): Promise<OnceReport> {
      if (o.dryRun) return runDryOnce(need(), { logger, signal: o.signal, onProgress: o.onProgress })
      o.onProgress({
        kind: 'step',
        message: need().devnet.embedded ? 'starting the embedded devnet' : 'connecting to chains',
      })
      const r = await rt()
      return onceWith(r, o.onProgress, { signal: o.signal, maxWaitMs: o.maxWaitMs })
    },
    async runForever(o) {
      const r = await rt()
      o.onProgress({ kind: 'step', message: 'reconciling open intents, then starting the scheduler' })
      for (const e of ['succeeded', 'failed', 'cancelled', 'delayed', 'held', 'skipped', 'missed'] as const) {
        r.scheduler.on(e, (p) =>
          o.onProgress({
            kind: 'job',
            jobId: p.jobId,
            status: p.run.status,
            message: 'reason' in p ? String(p.reason) : 'error' in p ? String(p.error) : undefined,
          }),
        )
      }
      await r.start()
      const serve = r.config.server.enabled || o.port !== undefined
      const server = serve
        ? await (await import('../server/bot-server.ts')).startBotServer(r, { port: o.port, logger })
        : undefined
      if (server) o.onListening?.(server.url)
      try {
        await untilAborted(o.signal)
      } finally {
        await server?.closeAll()
      }
    },
    async devnet(o) {
      if (o.mainnetShaped) return runMainnetShaped(o)
      o.onProgress({ kind: 'step', message: 'starting two anvil chains and deploying contracts' })
      const { startDevnet } = await import('../devnet/devnet.ts')
      const d = await startDevnet({ aaveV3: true })
      try {
        o.onReady({
          chains: [
            { chainId: d.l1.chainId, rpcUrl: d.l1.rpcUrl, role: 'l1' },
            { chainId: d.l2.chainId, rpcUrl: d.l2.rpcUrl, role: 'l2' },
          ],
          contracts: flatten(d.addresses as unknown as Record<string, unknown>),
          accounts: d.accounts.map((a) => a.address),
        })
        await untilAborted(o.signal)
      } finally {
        await d.stop()
      }
    },
    keystoreNew: async (o) => (await import('../chain/keystore-file.ts')).writeKeystore(o),
    keystoreImport: async (o) => (await import('../chain/keystore-file.ts')).writeKeystore(o),
    async housekeeping(o) {
      const r = await writable()
      const db = runtime ? (await rt()).db : view!.db
      return createUpkeep({
        config: need(),
        db,
        dbPath: need().store.path,
        scheduler: () => r.scheduler,
      }).housekeeper.run({ dryRun: o.dryRun })
    },
    async backup(target) {
      // An online backup: it runs beside a live `bot run` without the state lock.
      const db = openDatabase({ path: need().store.path, mustExist: true })
      try {
        return await backupDatabase(db, target ?? defaultBackupDir(need()))
      } finally {
        db.close()
      }
    },
    async restore(backupPath) {
      lock ??= acquireStateLock(need().store.path)
      return restoreDatabase(backupPath, need().store.path, { safetyDir: defaultBackupDir(need()) })
    },
    // Tokens live in the state database; a running `bot run` reads them per request, so no lock is needed.
    async tokenNew(o) {
      return (await tokens()).create(o.name, o.role as Role)
    },
    async tokenList() {
      return (await tokens()).list()
    },
    async tokenRevoke(name) {
      return (await tokens()).revoke(name)
    },
    async close() {
      try {
        await view?.close()
        if (tokenDb && !runtime) tokenDb.close()
        const r = runtime ? await runtime.catch(() => undefined) : undefined
        await r?.close()
      } finally {
        lock?.release()
      }
    },
  }
  return services
}

/** Resolves when `signal` aborts (at once if it already has): long-running commands wait on it. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })
}

function flatten(o: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object') Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`))
    else if (typeof v === 'string' && v.startsWith('0x')) out[`${prefix}${k}`] = v
  }
  return out
}
