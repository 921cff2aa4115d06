// Help texts: the root overview and each command's usage, options and examples.
import { GLOBAL_OPTIONS } from './args.ts'
import type { Command, CommandOption } from './command.ts'

function optionLines(options: Record<string, CommandOption>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? '<value>'}` : ''}`
    return [flag, `${o.description}${o.multiple ? ' (repeatable)' : ''}`] as const
  })
  const width = Math.max(0, ...rows.map(([f]) => f.length))
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`)
}

/** The text of `bot --help`. */
export function rootHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'bot — runs on-chain routines (bridge, swap, lend) for your own wallets on a durable scheduler',
    '',
    'Usage: bot <command> [options]',
    '       bot --once [--dry-run]      run every enabled job once, in dependency order, then exit',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 ok, 1 something failed, 2 bad input (flags, config); bad input starts nothing.',
    "Run `bot <command> --help` for a command's options and examples.",
    '',
    'Examples:',
    '  bot --once                         run the embedded devnet demo once (no keys, no network)',
    '  bot run --config config/prod.yaml  run until SIGINT/SIGTERM',
    '  bot jobs --json                    list jobs as JSON',
  ].join('\n')
}

/** The text of `bot <command> --help`. */
export function commandHelp(command: Command): string {
  return [
    `Usage: bot ${command.usage}`,
    '',
    command.summary,
    ...(Object.keys(command.options).length > 0 ? ['', 'Options:', ...optionLines(command.options)] : []),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
  ].join('\n')
}
