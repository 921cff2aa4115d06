// Everything `bot` prints: human text or one JSON document, colors only on a terminal, errors as one clear line.
import { AppError } from '../errors/app-error.ts'
import { ConfigError } from '../config/errors.ts'
import { redactSecrets } from '../logging/redact.ts'
import { startProgress, type Progress } from './progress.ts'
import { renderTable, type Column } from './table.ts'

/** A writable stream as the CLI needs it (process.stdout or a test buffer). */
export interface OutStream {
  write(text: string): unknown
  isTTY?: boolean
}

/** Options for createOutput. */
export interface OutputOptions {
  stdout: OutStream
  stderr: OutStream
  json: boolean
  env: Record<string, string | undefined>
  /** Print stacks of unexpected errors (log level debug or trace). */
  debug: boolean
}

/** Color helpers that are identity functions when colors are off. */
export interface Painter {
  bold(s: string): string
  dim(s: string): string
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
  cyan(s: string): string
}

/** The CLI's printer. In JSON mode stdout carries exactly one JSON document; human text goes to stderr. */
export interface Output {
  readonly json: boolean
  readonly color: boolean
  readonly paint: Painter
  /** A line of human output (stdout, or stderr in JSON mode). */
  line(text?: string): void
  /** A secondary note, always on stderr. */
  note(text: string): void
  /** Prints `value` as JSON in JSON mode, otherwise runs `human`. */
  result(value: unknown, human: () => void): void
  table<R>(columns: Column<R>[], rows: R[]): void
  progress(label: string): Progress
  /** Prints an error: `error CODE: message (fix: ...)`, plus each config issue; a stack only in debug mode. */
  error(err: unknown): void
}

/** Whether colors may be used on `stream` (a TTY, NO_COLOR unset, TERM not dumb; FORCE_COLOR forces). */
export function colorEnabled(stream: OutStream, env: Record<string, string | undefined>): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return stream.isTTY === true && env.TERM !== 'dumb'
}

function painter(on: boolean): Painter {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s)
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  }
}

/** JSON.stringify that writes bigints as decimal strings. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent)
}

/** Creates the printer for one invocation. */
export function createOutput(options: OutputOptions): Output {
  const { stdout, stderr, json, env } = options
  const humanStream = json ? stderr : stdout
  const color = colorEnabled(humanStream, env)
  const paint = painter(color)
  const errPaint = painter(colorEnabled(stderr, env))
  return {
    json,
    color,
    paint,
    line(text = '') {
      humanStream.write(`${text}\n`)
    },
    note(text) {
      stderr.write(`${text}\n`)
    },
    result(value, human) {
      if (json) stdout.write(`${toJson(value)}\n`)
      else human()
    },
    table(columns, rows) {
      humanStream.write(`${renderTable(columns, rows, paint.bold)}\n`)
    },
    progress(label) {
      return startProgress(
        { write: (t) => stderr.write(t), interactive: stderr.isTTY === true, color: colorEnabled(stderr, env) },
        label,
      )
    },
    error(err) {
      const info = describeError(err)
      if (json) {
        stdout.write(`${toJson({ ok: false, error: info })}\n`)
      } else {
        stderr.write(`${errPaint.red('error')} ${errPaint.bold(info.code)}: ${info.message}\n`)
        for (const i of info.issues ?? []) {
          stderr.write(`  - ${errPaint.bold(i.path)}: ${i.message}${i.fix ? errPaint.dim(` (fix: ${i.fix})`) : ''}\n`)
        }
        if (info.issues && info.hint) stderr.write(`  fix: ${info.hint}\n`)
      }
      if (options.debug && err instanceof Error && err.stack) stderr.write(`${redactSecrets(err.stack)}\n`)
    },
  }
}

/** A secret-free description of any thrown value. */
export function describeError(err: unknown): {
  code: string
  message: string
  hint?: string
  issues?: ConfigError['issues']
} {
  if (err instanceof ConfigError) {
    const n = err.issues.length
    const head = `${err.source}: ${n} problem${n === 1 ? '' : 's'}`
    return { code: err.code, message: redactSecrets(head), hint: err.hint, issues: err.issues }
  }
  // One line per error: a multi-line message from deeper layers is folded.
  if (err instanceof AppError) {
    return {
      code: err.code,
      message: redactSecrets(err.message).replace(/\s*\n\s*/g, ' '),
      ...(err.hint ? { hint: err.hint } : {}),
    }
  }
  const message = err instanceof Error ? err.message : String(err)
  return {
    code: 'INTERNAL',
    message: `${redactSecrets(message).split('\n')[0]} (fix: rerun with --log-level debug for details and report it)`,
  }
}
