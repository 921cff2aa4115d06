// The one zod schema of the bot's configuration: strict objects, defaults filled in, units parsed exactly.
import { z } from 'zod'
import { triggerSchema } from './triggers.ts'
import { backupSchema, housekeepingSchema } from './maintenance-schema.ts'
import { runWindowSchema, TRIGGER_RULES } from '../scheduler/index.ts'
import { notifySchema } from '../notify/config-schema.ts'
import { chainBookSchema } from './book-schema.ts'
import { dailyTokensSchema } from './token-caps-schema.ts'
import { duration, etherAmount, fraction, gasPrice, tokenAmount } from './units.ts'

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/
const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

const id = (what: string) =>
  z
    .string({ error: `expected ${what}: letters, digits, "_", ".", ":" or "-", at most 64 characters` })
    .regex(ID, { error: `expected ${what}: letters, digits, "_", ".", ":" or "-", at most 64 characters` })
const envName = z
  .string({ error: 'expected the NAME of an environment variable, e.g. "BOT_WALLET_KEY"' })
  .regex(ENV_NAME, { error: 'expected the NAME of an environment variable (A-Z, 0-9, _), e.g. "BOT_WALLET_KEY"' })
const address = z
  .string({ error: 'expected a 0x-prefixed 20-byte hex address' })
  .regex(ADDRESS, { error: 'expected a 0x-prefixed 20-byte hex address (42 characters)' })
const chainId = z
  .int({ error: 'expected a chain id (whole number >= 1)' })
  .min(1, { error: 'expected a chain id (whole number >= 1)' })
const count = (min: number, max: number) =>
  z
    .int({ error: `expected a whole number from ${min} to ${max}` })
    .min(min, { error: `expected a whole number from ${min} to ${max}` })
    .max(max, { error: `expected a whole number from ${min} to ${max}` })
const rpcUrl = z.string({ error: 'expected an http(s):// or ws(s):// URL' }).refine(
  (u) => {
    try {
      return ['http:', 'https:', 'ws:', 'wss:'].includes(new URL(u).protocol)
    } catch {
      return false
    }
  },
  {
    error:
      'expected an http(s):// or ws(s):// URL; keep API keys out of the file with a reference like ${RPC_KEY} inside the URL',
  },
)
const record = z.record(z.string(), z.unknown())

/** One chain: RPC URLs (first is primary, the rest are fallbacks in order), confirmations and per-chain caps. */
export const chainSchema = z.strictObject({
  id: chainId,
  name: z.string().min(1, { error: 'expected a non-empty chain name' }).max(64),
  rpcUrls: z
    .array(rpcUrl, { error: 'expected a list of RPC URLs (primary first, then fallbacks)' })
    .min(1, { error: 'expected at least one RPC URL' })
    .max(8),
  confirmations: count(0, 128).default(1),
  maxFeePerGas: gasPrice.optional(),
  allowlist: z.array(address).default([]),
  /** A Multicall3-compatible contract (aggregate3) to batch reads, e.g. 0xcA11bde05977b3631167028862bE2a173976CA11. */
  multicall: address.optional(),
  nativeSymbol: z.string().min(1).max(12).default('ETH'),
  /** JSON-RPC batching: calls made in the same tick share one HTTP request of at most this many (0: off). */
  rpcBatchSize: count(0, 1_000).default(0),
  /** Address-book entries added to or replacing the built-in book of this chain (see config/README.md). */
  book: chainBookSchema.optional(),
  /** Spend caps the engine enforces before signing; a token without a daily cap cannot be spent at all. */
  caps: z
    .strictObject({
      maxValuePerTx: etherAmount.prefault('0.1'),
      dailyNative: etherAmount.prefault('0.5'),
      /** Daily cap per ERC-20 token: by symbol in token units ("500"), or by address in base units ("500000000 wei"). */
      dailyTokens: dailyTokensSchema.default({}),
    })
    .prefault({}),
})

/** A wallet: where its key comes from (keystore file, env var name, or a devnet test account), never the key. */
export const walletSchema = z
  .strictObject({
    name: id('a wallet name'),
    address: address.optional(),
    keystore: z.string().min(1, { error: 'expected a path to an encrypted JSON keystore' }).optional(),
    privateKeyEnv: envName.optional(),
    devnetAccount: count(0, 9).optional(),
    chains: z.array(chainId).optional(),
  })
  .refine(
    (w) => {
      const sources = [w.keystore, w.privateKeyEnv, w.devnetAccount].filter((v) => v !== undefined).length
      // An address alone is a keyless wallet: dry runs only (a live run refuses it at the plan check).
      return sources === 1 || (sources === 0 && w.address !== undefined)
    },
    {
      error:
        'expected exactly one key source: "keystore" (a file path), "privateKeyEnv" (an env var NAME) or "devnetAccount" (or only "address", for dry runs)',
    },
  )

/** A protocol adapter turned on, with its parameters (each adapter validates its own). */
export const protocolSchema = z.strictObject({
  enabled: z.boolean().default(true),
  chains: z.array(chainId).optional(),
  params: record.default({}),
})

/** One scheduled job. Field names follow the scheduler's job spec. */
export const jobSchema = z.strictObject({
  id: id('a job id'),
  taskType: z
    .string({ error: 'expected a task type such as "protocol_call"' })
    .regex(/^[a-z][a-z0-9_.:-]{0,63}$/, { error: 'expected a task type such as "protocol_call" (lowercase)' }),
  trigger: triggerSchema.default('manual'),
  priority: z
    .enum(['critical', 'high', 'normal', 'low', 'lowest'], {
      error: 'expected one of "critical", "high", "normal", "low", "lowest"',
    })
    .default('normal'),
  dependencies: z.array(id('a job id')).default([]),
  maxRetries: count(0, 100).optional(),
  retryDelay: duration.optional(),
  maxRetryDelay: duration.optional(),
  timeout: duration.optional(),
  gasCap: gasPrice.optional(),
  maxDelay: duration.optional(),
  misfireGraceTime: duration.optional(),
  /** IANA zone for short patterns (daily_at_HH:MM) and run windows; default UTC. */
  timezone: z.string().min(1).optional(),
  /** When the job may start, e.g. [{days: ["mon","tue"], from: "09:00", to: "17:00", timezone: "Europe/Berlin"}]. */
  windows: z.array(runWindowSchema).min(1).optional(),
  /** Cancel a run that waited this long for its dependencies (reason dependency_timeout). */
  dependencyTimeout: duration.optional(),
  /** When the job runs given how its dependencies ended: all_success (default), none_failed or all_done. */
  triggerRule: z.enum(TRIGGER_RULES, { error: `expected one of ${TRIGGER_RULES.join(', ')}` }).optional(),
  maxInstances: count(1, 64).default(1),
  maxExecutions: count(1, 1_000_000_000).optional(),
  resources: z.record(z.string().min(1), count(1, 10_000)).default({}),
  recovery: z.enum(['rerun', 'reconcile'], { error: 'expected "rerun" or "reconcile"' }).optional(),
  metadata: record.default({}),
  args: z.unknown().default({}),
  enabled: z.boolean().default(true),
})

const volatilitySchema = z.strictObject({
  window: duration.prefault('1h'),
  /** Realized volatility (stdev of log returns over the window) at which the class becomes medium / high. */
  thresholds: z
    .strictObject({
      medium: z.number().positive().default(0.002),
      high: z.number().positive().default(0.005),
    })
    .prefault({})
    .refine((t) => t.medium < t.high, { error: 'expected thresholds.medium < thresholds.high' }),
  hysteresis: fraction.default(0.1),
  thinningFactor: z.number().min(1).max(100).default(2),
})

/** RiskManager limits. */
export const riskSchema = z.strictObject({
  maxGasPrice: gasPrice.prefault('50 gwei'),
  volatility: volatilitySchema.prefault({}),
  breaker: z
    .strictObject({
      riskScore: fraction.default(0.8),
      consecutiveFailures: count(1, 1000).default(5),
      staleOracleAfter: duration.prefault('15m'),
    })
    .prefault({}),
  circuitBreakerTimeout: duration.prefault('30m'),
  dailyGasBudget: etherAmount.prefault('0.05'),
  maxDrawdown: fraction.default(0.2),
})

/** CapitalAllocator settings. */
export const capitalSchema = z.strictObject({
  protocols: z
    .record(
      id('a protocol id'),
      z.strictObject({
        expectedValue: z.number().min(-1).max(100),
        risk: fraction,
        min: tokenAmount.default('0'),
        max: tokenAmount.optional(),
      }),
    )
    .default({}),
  /** ETH kept back per chain id for gas, never allocated. */
  gasReserve: z
    .record(z.string().regex(/^[1-9]\d*$/, { error: 'expected a chain id as the key' }), etherAmount)
    .default({}),
  minTradeSize: tokenAmount.default('0'),
  driftThreshold: fraction.default(0.05),
})

/** Core scheduler settings; gas and volatility limits for its dispatch gate default to the risk section's. */
export const schedulerSchema = z.strictObject({
  maxConcurrentJobs: count(1, 1000).default(4),
  defaultRetryDelay: duration.prefault('5s'),
  defaultMaxRetries: count(0, 100).default(3),
  maxRetryDelay: duration.prefault('10m'),
  maxGasPrice: gasPrice.optional(),
  volatilityThreshold: z.number().positive().optional(),
  circuitBreakerTimeout: duration.optional(),
  retention: z
    .strictObject({ days: count(1, 3650).default(30), count: count(1, 10_000_000).default(100_000) })
    .prefault({}),
  shutdownGraceMs: count(0, 600_000).default(30_000),
  resourcePools: z.record(z.string().min(1), count(1, 10_000)).default({}),
})

/** HTTP API and dashboard; off by default, loopback only unless reads are protected too. */
export const serverSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    host: z.string().min(1).default('127.0.0.1'),
    port: count(0, 65_535).default(8787),
    /** An admin token read from this environment variable (if set). */
    tokenEnv: envName.default('BOT_API_TOKEN'),
    /** More tokens from environment variables, each with a role; `bot token new` stores hashed ones in the database. */
    tokens: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
            error: 'expected a token name (letters, digits, "_", ".", "-")',
          }),
          role: z.enum(['viewer', 'operator', 'admin'], { error: 'expected "viewer", "operator" or "admin"' }),
          env: envName,
        }),
      )
      .default([]),
    protectReads: z.boolean().default(false),
    /** Mutations per token: a steady rate per minute and a burst. */
    rateLimit: z
      .strictObject({ perMinute: count(1, 100_000).default(60), burst: count(1, 10_000).default(20) })
      .prefault({}),
  })
  .refine((s) => !s.enabled || LOOPBACK.has(s.host) || s.protectReads, {
    error: 'a server on a non-loopback host must set protectReads: true (or use host "127.0.0.1")',
  })

const storeSchema = z
  .strictObject({
    kind: z.enum(['sqlite', 'postgres'], { error: 'expected "sqlite" or "postgres"' }).default('sqlite'),
    /** SQLite file; with `postgres` it still holds the journal, breaker and audit of this instance. */
    path: z.string().min(1).default('.state/bot.db'),
    /** PostgreSQL URL for the scheduler's jobs and runs, e.g. "${PG_URL}" (it may carry a password: use an env var). */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// URL' })
      .optional(),
    /** Several instances on this PostgreSQL database: job groups, nonce lanes and the journal are shared by leases. */
    cluster: z
      .strictObject({
        /** Name of this instance in leases and logs (default: host, pid and a random suffix). */
        instanceId: z.string().min(1).max(200).optional(),
        /** A lease lapses this long after its holder's last heartbeat; then a peer takes over (default 10 s). */
        leaseMs: z.number().int().min(1_000).max(600_000).default(10_000),
        heartbeatMs: z.number().int().min(100).max(60_000).default(1_000),
      })
      .refine((c) => c.heartbeatMs * 3 <= c.leaseMs, {
        error: 'store.cluster.heartbeatMs must be at most a third of leaseMs',
        path: ['heartbeatMs'],
      })
      .optional(),
  })
  .refine((s) => s.kind !== 'postgres' || s.url !== undefined, {
    error: 'store.kind "postgres" needs store.url, e.g. "${PG_URL}"',
    path: ['url'],
  })
  .refine((s) => s.cluster === undefined || s.kind === 'postgres', {
    error: 'store.cluster needs store.kind "postgres"',
    path: ['cluster'],
  })

const devnetSchema = z.strictObject({
  embedded: z.boolean().optional(),
  /** Chain ids the embedded devnet starts: the first is the L1, the rest L2s bridged from it. */
  chains: z.array(chainId).min(1).default([31337, 31338]),
})

const baseSchema = z.strictObject({
  $schema: z.string().optional(),
  chains: z.array(chainSchema).default([]),
  wallets: z.array(walletSchema).default([]),
  protocols: z.record(id('an adapter id'), protocolSchema).default({}),
  jobs: z.array(jobSchema).default([]),
  risk: riskSchema.prefault({}),
  capital: capitalSchema.prefault({}),
  scheduler: schedulerSchema.prefault({}),
  server: serverSchema.prefault({}),
  store: storeSchema.prefault({}),
  housekeeping: housekeepingSchema.prefault({}),
  backup: backupSchema.prefault({}),
  devnet: devnetSchema.prefault({}),
  /** Alerts to the operator: webhook, Telegram, Discord, Slack (see config/README.md). */
  notify: notifySchema.prefault({}),
  /** A devnet addresses JSON (as `bot devnet` writes it) used INSTEAD of the built-in book for real chains. */
  addressBook: z.string().min(1).optional(),
})

/** Cross-field rules: unique ids, known dependencies, a chain to run on. Defensive: runs even when fields failed. */
function checkReferences(c: unknown, ctx: z.core.$RefinementCtx<unknown>): void {
  const obj = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(obj) : [])
  const root = obj(c)
  const [chains, wallets, jobs] = [list(root.chains), list(root.wallets), list(root.jobs)]
  const dup = (items: Record<string, unknown>[], key: string, section: string, what: string) => {
    const seen = new Set<unknown>()
    items.forEach((item, i) => {
      const v = item[key]
      if (v === undefined) return
      if (seen.has(v))
        ctx.addIssue({ code: 'custom', path: [section, i, key], message: `duplicate ${what}: each must be unique` })
      seen.add(v)
    })
  }
  dup(chains, 'id', 'chains', 'chain id')
  dup(wallets, 'name', 'wallets', 'wallet name')
  dup(jobs, 'id', 'jobs', 'job id')
  const jobIds = new Set(jobs.map((j) => j.id))
  jobs.forEach((j, i) => {
    if (!Array.isArray(j.dependencies)) return
    j.dependencies.forEach((d: unknown, k: number) => {
      if (typeof d !== 'string') return
      const path = ['jobs', i, 'dependencies', k]
      if (d === j.id) ctx.addIssue({ code: 'custom', path, message: 'a job cannot depend on itself' })
      else if (!jobIds.has(d))
        ctx.addIssue({ code: 'custom', path, message: 'unknown job id: list ids of jobs defined in "jobs"' })
    })
  })
  // A protocol_call job must name an adapter listed under `protocols` (a typo would only fail at run time).
  const protocols = obj(root.protocols)
  jobs.forEach((j, i) => {
    const adapter = obj(j.args).adapter
    if (j.taskType === 'protocol_call' && typeof adapter === 'string' && !Object.hasOwn(protocols, adapter)) {
      ctx.addIssue({
        code: 'custom',
        path: ['jobs', i, 'args', 'adapter'],
        message: `adapter "${adapter.slice(0, 40)}" is not listed under "protocols": add it there (with its params) or fix the id`,
      })
    }
  })
  const embedded = obj(root.devnet).embedded
  if (embedded === false && chains.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['chains'],
      message: 'no chains: add at least one chain, or set devnet.embedded: true',
    })
  }
  wallets.forEach((w, i) => {
    if (w.devnetAccount !== undefined && chains.length > 0 && embedded !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['wallets', i, 'devnetAccount'],
        message: 'devnetAccount works only on the embedded devnet: use "keystore" or "privateKeyEnv" for real chains',
      })
    }
  })
}

/** The whole configuration; parse once at start. Unknown keys anywhere are rejected. */
export const BotConfigSchema = baseSchema.superRefine(checkReferences, { when: () => true }).transform((c) => ({
  ...c,
  devnet: { ...c.devnet, embedded: c.devnet.embedded ?? c.chains.length === 0 },
  scheduler: {
    ...c.scheduler,
    maxGasPrice: c.scheduler.maxGasPrice ?? c.risk.maxGasPrice,
    volatilityThreshold: c.scheduler.volatilityThreshold ?? c.risk.volatility.thresholds.high,
    circuitBreakerTimeout: c.scheduler.circuitBreakerTimeout ?? c.risk.circuitBreakerTimeout,
  },
}))

/** The validated configuration with defaults filled in (durations in ms, gas prices and ETH amounts in wei). */
export type BotConfig = z.output<typeof BotConfigSchema>
/** One job as configured. */
export type JobConfig = z.output<typeof jobSchema>
/** One chain as configured. */
type ChainConfig = z.output<typeof chainSchema>
/** What a config file may contain before defaults are filled in. */
type BotConfigInput = z.input<typeof BotConfigSchema>
