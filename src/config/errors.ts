// Typed config errors: every bad path with what was expected and how to fix it; values are never echoed.
import { AppError } from '../errors/app-error.ts'
import { redactSecrets } from '../logging/redact.ts'

/** One problem in a config: where, what was expected, and what to do. */
export interface ConfigIssue {
  /** e.g. `jobs[2].trigger.expression`, or `(root)`. */
  path: string
  message: string
  fix?: string
}

/** Codes a ConfigError carries; all of them mean bad input (exit code 2). */
export type ConfigErrorCode =
  'CONFIG_INVALID' | 'CONFIG_NOT_FOUND' | 'CONFIG_UNREADABLE' | 'CONFIG_SYNTAX' | 'PRESET_UNKNOWN'

const GENERAL_HINT = 'fix each field listed; the schema is documented in config/README.md'

/** A config that cannot be used; lists every issue found, not only the first. Never retryable. */
export class ConfigError extends AppError {
  override name: string = 'ConfigError'
  readonly issues: ConfigIssue[]
  readonly source: string

  constructor(code: ConfigErrorCode, source: string, issues: ConfigIssue[], hint: string = GENERAL_HINT) {
    const clean = issues.map((i) => ({
      path: redactSecrets(i.path),
      message: redactSecrets(i.message),
      ...(i.fix ? { fix: redactSecrets(i.fix) } : {}),
    }))
    const head =
      clean.length === 1
        ? `config ${source}: ${clean[0]?.path}: ${clean[0]?.message}`
        : `config ${source} has ${clean.length} problems`
    super(code, head, { retryable: false, hint, details: { source, issues: clean } })
    this.issues = clean
    this.source = source
  }
}

/** A preset name that does not exist; lists the ones that do. */
export class UnknownPresetError extends ConfigError {
  override name = 'UnknownPresetError'
  readonly available: string[]

  constructor(name: string, available: string[]) {
    super(
      'PRESET_UNKNOWN',
      `preset ${JSON.stringify(name.slice(0, 64))}`,
      [
        {
          path: '(preset)',
          message: `unknown preset; available: ${available.join(', ') || '(none)'}`,
          fix: `use one of: ${available.join(', ')}`,
        },
      ],
      `run \`bot load-preset --list\` to see the presets in config/presets/`,
    )
    this.available = available
  }
}

/** Formats a zod-style path: `jobs[2].trigger`, `(root)` when empty. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else out += out === '' ? String(seg) : `.${String(seg)}`
  }
  return out === '' ? '(root)' : out
}
