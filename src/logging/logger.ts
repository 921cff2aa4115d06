// pino logger factory with redaction of keys, mnemonics, passphrases and credentialed RPC URLs.
import pino, { type Logger, type LoggerOptions } from 'pino'
import { redactSecrets } from './redact.ts'

export type { Logger }

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACT_PATHS = [
  'privateKey', '*.privateKey', 'mnemonic', '*.mnemonic', 'passphrase', '*.passphrase', 'password', '*.password',
  'secret', '*.secret', 'token', '*.token', 'apiKey', '*.apiKey', 'authorization', '*.authorization',
  'headers.authorization', 'rpcUrl', '*.rpcUrl', 'rpcUrls', '*.rpcUrls', 'url', '*.url',
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
    formatters: { level: (label) => ({ level: label }) },
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
