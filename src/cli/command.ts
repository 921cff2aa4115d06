// The shape of one `bot` command and the context main.ts hands it; commands live in src/cli/commands/<verb>.ts.
import type { BotConfig } from '../config/schema.ts'
import type { Logger } from '../logging/logger.ts'
import type { Output } from './output.ts'
import type { CliServices } from '../bot/services.ts'

/** One option of a command, in node:util parseArgs terms plus help text. */
export interface CommandOption {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  /** Placeholder shown in help, e.g. `<id>`. */
  valueName?: string
  description: string
}

/** Global options every command accepts. */
export interface GlobalOptions {
  /** Absolute path of the config file in use. */
  configPath: string
  /** True when `--config` was given explicitly. */
  configExplicit: boolean
  logLevel: string
  json: boolean
  /** Directory relative paths (e.g. store.path) are resolved against. */
  cwd: string
}

/** What a command's `run` receives. */
export interface CommandContext {
  /** Parsed values of the command's own options. */
  values: Record<string, string | boolean | string[] | undefined>
  /** Positional arguments after the verb. */
  positionals: string[]
  global: GlobalOptions
  /** The validated config; present for commands with `needsConfig` (default). */
  config: BotConfig | undefined
  /** Created on the first call (so `--help`, usage errors and pure commands open nothing). */
  readonly services: CliServices
  out: Output
  logger: Logger
  env: Record<string, string | undefined>
  /** Aborted on the first SIGINT/SIGTERM. */
  signal: AbortSignal
  /** Whether stdin is a terminal (prompts are possible). */
  interactive: boolean
  /** Asks a question on the terminal; `hidden` for secrets. */
  prompt(question: string, hidden: boolean): Promise<string>
  /** Reads all of stdin (for piped input). */
  readStdin(): Promise<string>
}

/** One verb of `bot`. `run` resolves with the exit code (0 when it returns nothing). */
export interface Command {
  name: string
  summary: string
  /** Usage line(s) without the leading `bot `, e.g. `history [--job <id>] [--limit <n>]`. */
  usage: string
  examples: string[]
  options: Record<string, CommandOption>
  /** Allowed number of positionals after the verb. */
  positionals?: { min: number; max: number; names: string }
  /** Whether the config is loaded and validated before `run` (default true). */
  needsConfig?: boolean
  run(ctx: CommandContext): Promise<number | void>
}

/** Typed identity helper for command modules. */
export function defineCommand(command: Command): Command {
  return command
}
