// Entry of `bot`: parses argv, loads the config, wires one command from src/cli/commands to its context. Nothing else.
import { isAbsolute, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.ts'
import type { BotConfig } from '../config/schema.ts'
import { createLogger, type Logger } from '../logging/logger.ts'
import { GLOBAL_OPTIONS, LOG_LEVELS, parseCommandArgs, rejectSecretArguments, splitVerb } from './args.ts'
import type { Command, CommandContext } from './command.ts'
import { addTaskCommand } from './commands/add-task.ts'
import { devnetCommand } from './commands/devnet.ts'
import { disableCommand } from './commands/disable.ts'
import { enableCommand } from './commands/enable.ts'
import { explainCommand } from './commands/explain.ts'
import { historyCommand } from './commands/history.ts'
import { jobsCommand } from './commands/jobs.ts'
import { keystoreCommand } from './commands/keystore.ts'
import { loadPresetCommand } from './commands/load-preset.ts'
import { pauseCommand } from './commands/pause.ts'
import { removeTaskCommand } from './commands/remove-task.ts'
import { resumeCommand } from './commands/resume.ts'
import { runTaskCommand } from './commands/run-task.ts'
import { runCommand } from './commands/run.ts'
import { statusCommand } from './commands/status.ts'
import { tokenCommand } from './commands/token.ts'
import { housekeepingCommand } from './commands/housekeeping.ts'
import { backupCommand } from './commands/backup.ts'
import { restoreCommand } from './commands/restore.ts'
import { mcpCommand } from './commands/mcp.ts'
import { notifyCommand } from './commands/notify.ts'
import { checkCommand } from './commands/check.ts'
import { createDefaultServices } from './default-services.ts'
import { EXIT, UsageError, exitCodeFor } from './errors.ts'
import { commandHelp, rootHelp } from './help.ts'
import { createOutput, type OutStream } from './output.ts'
import { promptLine } from './prompt.ts'
import type { CliServices, ServicesFactory } from '../bot/services.ts'

/** What main() uses from the outside world; tests pass their own streams, env and services. */
export interface MainDeps {
  stdout?: OutStream
  stderr?: OutStream
  stdin?: Readable & { isTTY?: boolean }
  env?: Record<string, string | undefined>
  cwd?: string
  createServices?: ServicesFactory
  /** Install SIGINT/SIGTERM handlers that abort the command (default true). */
  handleSignals?: boolean
}

const MAX_STDIN = 64 * 1024

/** Every verb of `bot`, in the order `bot --help` lists them. */
export const COMMANDS: Command[] = [
  runCommand,
  statusCommand,
  jobsCommand,
  historyCommand,
  explainCommand,
  runTaskCommand,
  enableCommand,
  disableCommand,
  pauseCommand,
  resumeCommand,
  addTaskCommand,
  removeTaskCommand,
  loadPresetCommand,
  devnetCommand,
  keystoreCommand,
  tokenCommand,
  housekeepingCommand,
  backupCommand,
  restoreCommand,
  mcpCommand,
  notifyCommand,
  checkCommand,
]

/** Runs `bot` with `argv` (without node and script) and resolves with the exit code: 0 ok, 1 failed, 2 bad input. */
export async function main(argv: string[], deps: MainDeps = {}): Promise<number> {
  const env = deps.env ?? process.env
  const stdout = deps.stdout ?? process.stdout
  const stderr = deps.stderr ?? process.stderr
  const stdin = deps.stdin ?? process.stdin
  let out = createOutput({ stdout, stderr, json: argv.includes('--json'), env, debug: false })
  let services: CliServices | undefined
  const abort = new AbortController()
  const onSignal = (sig: NodeJS.Signals) => {
    out.note(`received ${sig}: stopping gracefully (send it again to force)`)
    removeSignals()
    abort.abort(new Error(`received ${sig}`))
  }
  const removeSignals = () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  try {
    rejectSecretArguments(argv)
    const { command, rest } = pickCommand(argv)
    if (!command) {
      out.line(rootHelp(COMMANDS))
      return EXIT.ok
    }
    const parsed = parseCommandArgs(rest, { ...GLOBAL_OPTIONS, ...command.options }, command.name)
    const logLevel = String(parsed.values['log-level'] ?? env.LOG_LEVEL ?? 'info')
    if (!LOG_LEVELS.includes(logLevel)) {
      throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`, 'e.g. --log-level debug')
    }
    const json = parsed.values.json === true
    out = createOutput({ stdout, stderr, json, env, debug: logLevel === 'debug' || logLevel === 'trace' })
    if (parsed.values.help === true) {
      out.line(commandHelp(command))
      return EXIT.ok
    }
    checkPositionals(command, parsed.positionals)
    const cwd = deps.cwd ?? process.cwd()
    const given = parsed.values.config as string | undefined
    const configPath = given === undefined ? DEFAULT_CONFIG_PATH : isAbsolute(given) ? given : resolve(cwd, given)
    const config: BotConfig | undefined =
      command.needsConfig === false ? undefined : await loadConfig(configPath, { env })
    const logger: Logger = createLogger({
      level: logLevel,
      destination: { write: (s: string) => void stderr.write(s) },
    })
    const createServices = deps.createServices ?? createDefaultServices
    const values = Object.fromEntries(Object.entries(parsed.values).filter(([k]) => !(k in GLOBAL_OPTIONS)))
    if (deps.handleSignals !== false) {
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
    }
    const ctx: CommandContext = {
      values,
      positionals: parsed.positionals,
      global: { configPath, configExplicit: given !== undefined, logLevel, json, cwd },
      config,
      services: lazyServices(async () => {
        services ??= await createServices({ config, configPath, logLevel })
        return services
      }),
      out,
      logger,
      env,
      signal: abort.signal,
      interactive: stdin.isTTY === true,
      prompt: (question, hidden) => promptLine(question, { input: stdin, output: stderr, hidden }),
      readStdin: () => readAll(stdin),
    }
    return (await command.run(ctx)) ?? EXIT.ok
  } catch (err) {
    out.error(err)
    return exitCodeFor(err)
  } finally {
    removeSignals()
    if (services) {
      await services.close().catch((err: unknown) => out.error(err))
    }
  }
}

/** The command named by argv (or `run` for a bare `--once`/`--dry-run`), and the remaining arguments. */
function pickCommand(argv: string[]): { command: Command | undefined; rest: string[] } {
  const valueOptions = new Set<string>()
  for (const c of [{ options: GLOBAL_OPTIONS }, ...COMMANDS] as { options: Command['options'] }[]) {
    for (const [name, o] of Object.entries(c.options)) {
      if (o.type === 'string') {
        valueOptions.add(name)
        if (o.short) valueOptions.add(`-${o.short}`)
      }
    }
  }
  const { verb, rest } = splitVerb(argv, valueOptions)
  if (verb === undefined) {
    const bare = rest.filter((a) => a !== '--json')
    if (rest.some((a) => a === '--once' || a === '--dry-run')) return { command: byName('run'), rest }
    if (bare.length === 0 || bare.every((a) => a === '--help' || a === '-h')) return { command: undefined, rest }
    parseCommandArgs(rest, GLOBAL_OPTIONS, '<command>')
    throw new UsageError(
      'no command given',
      'run `bot --help` to list the commands, or `bot --once` to run the plan once',
    )
  }
  const command = COMMANDS.find((c) => c.name === verb)
  if (!command) {
    const near = COMMANDS.find((c) => c.name.startsWith(verb.slice(0, 3)))
    throw new UsageError(
      `unknown command "${verb.slice(0, 40)}"${near ? `; did you mean "${near.name}"?` : ''}`,
      `commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
    )
  }
  return { command, rest }
}

function byName(name: string): Command {
  const c = COMMANDS.find((x) => x.name === name)
  if (!c) throw new Error(`command ${name} is not registered`)
  return c
}

function checkPositionals(command: Command, positionals: string[]): void {
  const spec = command.positionals ?? { min: 0, max: 0, names: '' }
  if (positionals.length < spec.min) {
    throw new UsageError(`\`bot ${command.name}\` needs ${spec.names}`, `usage: bot ${command.usage}`)
  }
  if (positionals.length > spec.max) {
    throw new UsageError(
      `\`bot ${command.name}\` takes ${spec.max === 0 ? 'no arguments' : `at most ${spec.max} argument(s)`}; unexpected: ${JSON.stringify(positionals[spec.max]?.slice(0, 40))}`,
      `usage: bot ${command.usage}`,
    )
  }
}

/** Services created on the first call, so help, usage errors and pure commands open nothing. */
function lazyServices(get: () => Promise<CliServices>): CliServices {
  let pending: Promise<CliServices> | undefined
  return new Proxy({} as CliServices, {
    get(_t, prop: string | symbol) {
      if (typeof prop !== 'string' || prop === 'then') return undefined
      return async (...args: unknown[]) => {
        pending ??= get()
        const s = await pending
        const fn = (s as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop]
        if (typeof fn !== 'function') throw new Error(`services have no operation ${prop}`)
        return fn.apply(s, args)
      }
    },
  })
}

async function readAll(stream: Readable): Promise<string> {
  let text = ''
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
    if (text.length > MAX_STDIN)
      throw new UsageError(`stdin is larger than ${MAX_STDIN} bytes`, 'pipe only the expected value')
  }
  return text
}
