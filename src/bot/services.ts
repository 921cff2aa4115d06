// What CLI commands need from the running bot (scheduler, tx engine, devnet); the lead implements it when wiring.
import type { BotConfig, JobConfig } from '../config/schema.ts'
import type { BackupResult } from '../housekeeping/backup.ts'
import type { HousekeepingReport } from '../housekeeping/housekeeper.ts'
import type { SavingsReport } from '../history/index.ts'
import type { TxView } from './tx-report.ts'

/** Run states as the scheduler records them. */
export type RunStatus =
  | 'pending'
  | 'delayed'
  | 'held'
  | 'running'
  | 'retrying'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'missed'
  | 'skipped'
  | 'thinned'
  | 'interrupted'
  | 'needs_attention'

/** One job as `bot jobs` lists it. Times are epoch milliseconds. */
export interface JobSummary {
  id: string
  taskType: string
  /** Human description of the trigger, e.g. "every 30 s" or "cron 0 3 * * * (UTC)". */
  trigger: string
  priority: string
  dependencies: string[]
  /** When it runs given how its dependencies ended: all_success, none_failed or all_done. */
  triggerRule: string
  enabled: boolean
  paused: boolean
  nextFireAt: number | null
  lastRun?: { status: RunStatus; finishedAt: number | null; error?: string }
}

/** One run (execution) of a job, for `bot history`. */
export interface RunRecord {
  runId: string
  jobId: string
  status: RunStatus
  attempt: number
  scheduledAt?: number | null
  startedAt: number | null
  finishedAt: number | null
  /** Why it was delayed, skipped, cancelled or failed (gate decisions included). */
  reason?: string
  error?: string
  /** What the run sent: decoded calls, amounts with symbols, fees, explorer links (exact base units kept). */
  transactions?: TxView[]
}

/** Scheduler, breaker and next runs, for `bot status`. */
export interface StatusReport {
  scheduler: 'running' | 'stopped' | 'paused'
  /** PID of the `bot run` holding the state, when one is running. */
  pid?: number | null
  breaker: { state: 'closed' | 'open' | 'half_open'; reason?: string; since?: number | null; resetsAt?: number | null }
  jobs: { total: number; enabled: number; paused: number; running: number }
  nextRuns: { jobId: string; at: number }[]
  /** Latest market snapshot per chain, when the market tick has run. */
  market?: { chainId: number; baseFeeGwei?: number; volatility?: string; updatedAt?: number }[]
  /** What gas timing saved over the last day and week (fees of delayed runs against the due-time base fee). */
  savings?: SavingsReport
}

/** Why a job is (not) running now, for `bot explain`. */
export interface JobExplanation {
  jobId: string
  state: string
  nextFireAt: number | null
  dependencies: string[]
  triggerRule: string
  /** Each thing it waits for, e.g. {kind:'gas', detail:'base fee 62 gwei > cap 30 gwei'}. */
  waitingOn: {
    kind:
      | 'gas'
      | 'dependency'
      | 'breaker'
      | 'thinning'
      | 'misfire'
      | 'paused'
      | 'disabled'
      | 'resources'
      | 'schedule'
      | 'other'
    detail: string
  }[]
  /** The last gate decision recorded on its latest run. */
  lastDecision?: { decision: 'run' | 'delay' | 'skip' | 'hold'; reason: string; at: number }
  /** What the latest run sent, formatted like `bot history`. */
  lastRunTransactions?: TxView[]
}

/** What a dry run found for one job: calls, simulated costs and what policy would have refused. */
export interface DryRunJobReport {
  mode: 'fork' | 'simulation'
  /** Exact base units as strings; `contract` is the target's address-book name, `function` the decoded call. */
  calls: {
    chainId: number
    to: string
    contract?: string
    function?: string
    value: string
    data: string
    gas?: string
    feeWei?: string
  }[]
  /** `delta` in exact base units; `formatted` in the token's units with its symbol ("-0.2 WETH"). */
  balanceChanges?: { chainId: number; token: string; delta: string; formatted?: string }[]
  allowanceChanges?: { chainId: number; token: string; spender: string; amount: string }[]
  slippageBps?: number
  /** What the job's post-condition check found (or why it was not checked, e.g. a bridge arrival on forks). */
  evidence?: string
  refusals?: { by: 'cap' | 'allowlist' | 'risk' | 'simulation'; reason: string }[]
}

/** Outcome of `bot --once`: one entry per job in the order they finished. */
export interface OnceReport {
  ok: boolean
  jobs: { jobId: string; status: RunStatus; error?: string; durationMs?: number; dryRun?: DryRunJobReport }[]
  /** Set when `--once` stopped before every run ended: a signal or `--max-wait`; waiting runs were cancelled. */
  stoppedBy?: string
  /** Set in dry-run mode: whether the plan ran on forks or fell back to per-call simulation (and why). */
  dryRunMode?: {
    mode: 'fork' | 'simulation'
    note?: string
    /** Wallets that ran without a key (by address: impersonated on the fork, or simulated). */
    keyless?: string[]
  }
}

/** Progress events the long-running operations report, shown as a spinner or plain lines. */
export type ProgressEvent =
  { kind: 'step'; message: string } | { kind: 'job'; jobId: string; status: RunStatus; message?: string }

/** Options common to long-running operations. */
export interface LongRunOptions {
  dryRun: boolean
  signal: AbortSignal
  onProgress: (event: ProgressEvent) => void
  /** `bot run --port N` (0 = a free port); overrides `server.port` and starts the server even if not enabled. */
  port?: number
  /** Called with the operations server's URL once it listens. */
  onListening?: (url: string) => void
  /** `--once --max-wait`: the longest the whole run may take before waiting runs are cancelled. */
  maxWaitMs?: number
}

/** Endpoints of a started devnet. */
export interface DevnetInfo {
  chains: { chainId: number; rpcUrl: string; role: 'l1' | 'l2' }[]
  contracts?: Record<string, string>
  accounts?: string[]
}

/** An API token as listings show it: never the token or its hash. */
export interface ApiTokenInfo {
  id: string
  name: string
  role: string
  source: 'db' | 'env'
  createdAt: number | null
  revokedAt: number | null
}

/** A keystore written by `bot keystore new|import`. */
export interface KeystoreResult {
  address: string
  path: string
}

/**
 * Operations the CLI calls; each throws AppError subclasses (ValidationError for an unknown job id and other
 * bad input, so the CLI exits 2). Implementations open state lazily and release it in `close()`.
 */
export interface CliServices {
  status(): Promise<StatusReport>
  listJobs(): Promise<JobSummary[]>
  history(query: { jobId?: string; limit: number }): Promise<RunRecord[]>
  explain(jobId: string): Promise<JobExplanation>
  /** Starts one run now (argsOverride replaces the job's args) and resolves when it finished. */
  runTask(jobId: string, options: { argsOverride?: unknown; signal: AbortSignal }): Promise<RunRecord>
  setJobState(jobId: string, action: 'enable' | 'disable' | 'pause' | 'resume'): Promise<JobSummary>
  addTask(job: JobConfig): Promise<JobSummary>
  removeTask(jobId: string): Promise<void>
  /** Adds a preset's jobs (validated config) to the state; existing ids are skipped unless `replace`. */
  loadPreset(
    name: string,
    preset: BotConfig,
    options: { replace: boolean },
  ): Promise<{ added: string[]; skipped: string[] }>
  /** Runs every enabled job once in dependency order, then returns. */
  runOnce(options: LongRunOptions): Promise<OnceReport>
  /** Runs until `signal` aborts, then shuts down gracefully. */
  runForever(options: LongRunOptions): Promise<void>
  /** Starts the local devnet, reports it through `onReady`, and keeps it up until `signal` aborts. */
  devnet(options: {
    signal: AbortSignal
    onProgress: (e: ProgressEvent) => void
    onReady: (info: DevnetInfo) => void
    /** Start the mainnet-shaped pair (chain ids 1 + 8453, canonical addresses) instead of the devnet. */
    mainnetShaped?: boolean
    /** Addresses to give 100 ETH on each chain (mainnet-shaped only). */
    fund?: string[]
  }): Promise<void>
  keystoreNew(options: { out?: string; passphrase: string }): Promise<KeystoreResult>
  keystoreImport(options: { out?: string; passphrase: string; privateKey: string }): Promise<KeystoreResult>
  /** Runs housekeeping now (retention, SQLite upkeep, directory cleanup); `dryRun` removes nothing. */
  housekeeping(options: { dryRun: boolean }): Promise<HousekeepingReport>
  /** Online backup of the state database to `target` (a file, or a directory; default the backups directory). */
  backup(target?: string): Promise<BackupResult>
  /** Replaces the state with a backup; refuses while a bot holds the state. */
  restore(backupPath: string): Promise<{ restoredFrom: string; previousSavedAs: string | null }>
  /** Creates an API token (hashed in the state; the token is returned only here), lists or revokes tokens. */
  tokenNew(options: { name: string; role: string }): Promise<{ token: string; info: ApiTokenInfo }>
  tokenList(): Promise<ApiTokenInfo[]>
  tokenRevoke(name: string): Promise<boolean>
  /** Releases databases, clients and child processes. */
  close(): Promise<void>
}

/** What the CLI hands the services factory. `config` is absent for commands that need none (keystore, devnet). */
export interface ServicesDeps {
  config: BotConfig | undefined
  configPath: string
  logLevel: string
}

/** Builds the services for one CLI invocation. */
export type ServicesFactory = (deps: ServicesDeps) => Promise<CliServices>
