// Splits argv into the verb and its options with node:util parseArgs; every mistake is a UsageError (exit 2).
import { parseArgs } from 'node:util'
import { redactSecrets } from '../logging/redact.ts'
import type { CommandOption } from './command.ts'
import { UsageError } from './errors.ts'

/** Options accepted by every command. */
export const GLOBAL_OPTIONS: Record<string, CommandOption> = {
  config: {
    type: 'string',
    short: 'c',
    valueName: '<path>',
    description: 'config file, JSON or YAML (default: config/default.json)',
  },
  'log-level': {
    type: 'string',
    valueName: '<level>',
    description: 'trace, debug, info, warn, error, fatal or silent (default: info)',
  },
  json: { type: 'boolean', description: 'machine-readable output: one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show help for the command' },
}

/** Log levels `--log-level` accepts. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

const SECRET_FLAG = /^--?(passphrase|password|pass|private-?key|privkey|key|mnemonic|seed|secret)(=.*)?$/i
const HEX_KEY = /(?:^|[^0-9a-fA-F])(?:0x)?[0-9a-fA-F]{64}(?![0-9a-fA-F])/

/** Refuses secrets on the command line before anything else: they would land in shell history and `ps`. */
export function rejectSecretArguments(argv: string[]): void {
  for (const arg of argv) {
    const flag = SECRET_FLAG.exec(arg)
    if (flag) {
      throw new UsageError(
        `--${(flag[1] as string).toLowerCase()} is refused: secrets are never taken as arguments (they end up in shell history and the process list)`,
        'set BOT_KEYSTORE_PASSPHRASE in the environment or type the passphrase at the prompt; keys go in via `bot keystore import`',
      )
    }
    if (HEX_KEY.test(arg)) {
      throw new UsageError(
        'an argument looks like a private key: keys are never taken as arguments',
        'run `bot keystore import` and type or pipe the key instead; then rotate that key, it may be in your shell history',
      )
    }
  }
}

/** Finds the verb (first positional not consumed as an option value); `valueOptions` lists options taking values. */
export function splitVerb(argv: string[], valueOptions: Set<string>): { verb: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i] as string
    if (t === '--') break
    if (t.startsWith('-') && t !== '-') {
      const long = t.startsWith('--')
      const name = long ? (t.slice(2).split('=')[0] as string) : t.slice(1)
      if (!t.includes('=') && valueOptions.has(long ? name : `-${name}`)) i++
      continue
    }
    return { verb: t, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] }
  }
  return { verb: undefined, rest: argv }
}

/** The parsed options and positionals of one command. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

/** Parses `args` strictly against `options` (global options included); unknown flags are UsageErrors. */
export function parseCommandArgs(
  args: string[],
  options: Record<string, CommandOption>,
  commandName: string,
): ParsedArgs {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }
  }
  try {
    const { values, positionals } = parseArgs({ args, options: config, strict: true, allowPositionals: true })
    return { values: values as ParsedArgs['values'], positionals }
  } catch (err) {
    const message = redactSecrets(err instanceof Error ? err.message : String(err))
      .replace(/\. To specify a positional argument.*$/s, '')
      .replace(/\s+/g, ' ')
    throw new UsageError(`${message} (in \`bot ${commandName}\`)`, `see \`bot ${commandName} --help\``)
  }
}

/** Parses a positive whole number option such as `--limit 20`. */
export function parsePositiveInt(value: string | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(
      `--${flag} expects a whole number from 1 to ${max}`,
      `e.g. --${flag} ${Math.min(fallback, max)}`,
    )
  }
  return Number(value)
}
