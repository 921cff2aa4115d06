// pino logger factory with redaction of keys, mnemonics, passphrases and credentialed RPC URLs.
import pino, { type Logger, type LoggerOptions } from 'pino'
import { redactSecrets, redactUrls } from './redact.ts'

export type { Logger }

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACT_PATHS = [
  'privateKey',
  '*.privateKey',
  'mnemonic',
  '*.mnemonic',
  'passphrase',
  '*.passphrase',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'rpcUrl',
  '*.rpcUrl',
  'rpcUrls',
  '*.rpcUrls',
  'url',
  '*.url',
]

/** Options for the project logger. */
export interface CreateLoggerOptions {
  level?: string
  /** Where to write; defaults to stdout. Tests pass a stream to inspect output. */
  destination?: pino.DestinationStream
  base?: Record<string, unknown>
}

/**
 * Creates the project logger: JSON lines, secret paths redacted, and every error serialized through
 * `redactSecrets` so a key or credentialed URL inside an error message never reaches the log.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: options.base ?? {},
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      err: (e: unknown) => serializeError(e),
      error: (e: unknown) => serializeError(e),
    },
    formatters: {
      level: (label) => ({ level: label }),
      // Structured fields keep tx hashes, so only URLs are scrubbed here; errors under any key are serialized.
      log: (obj) => scrubLogObject(obj),
      bindings: (b) => scrubFields(b) as Record<string, unknown>,
    },
    hooks: {
      // Free-text messages get the full scrub (keys, URLs, tokens): interpolated text has no structure to trust.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>)
      },
    },
  }
  return options.destination ? pino(opts, options.destination) : pino(opts)
}

/** A secret-free plain object for an error: message, code, and causes, each scrubbed. */
export function serializeError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: redactSecrets(String(e)) }
  const out: Record<string, unknown> = { type: e.name, message: redactSecrets(e.message) }
  const code = (e as { code?: unknown }).code
  if (code !== undefined) out.code = code
  if (e.stack) out.stack = redactSecrets(e.stack)
  if (e.cause !== undefined) out.cause = serializeError(e.cause)
  return out
}

// `err`/`error` keep their Error so the serializers above (which also add type and stack) handle them.
function scrubLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj))
    out[k] = (k === 'err' || k === 'error') && v instanceof Error ? v : scrubFields(v, 1)
  return out
}

/**
 * Copies plain objects and arrays (bounded depth) with URL paths/queries/credentials scrubbed from strings and
 * any Error (e.g. a raw viem error whose `url`/`metaMessages` hold the RPC URL) replaced by `serializeError`.
 */
export function scrubFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrls(value)
  if (value instanceof Error) return serializeError(value)
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => scrubFields(v, depth + 1))
  const proto = Object.getPrototypeOf(value)
  // Class instances with their own toJSON (AppError, hardened accounts) already control what they print.
  if (proto !== Object.prototype && proto !== null) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = scrubFields(v, depth + 1)
  return out
}
