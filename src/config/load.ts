// Loads a config (JSON or YAML, or a preset by name), substitutes ${VAR}s, validates, and reports every problem.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { redactSubstituted, substituteEnv } from './env.ts'
import { ConfigError, UnknownPresetError, formatPath, type ConfigIssue } from './errors.ts'
import { toConfigIssues } from './issues.ts'
import { BotConfigSchema, jobSchema, type BotConfig, type JobConfig } from './schema.ts'
import { findSecrets } from './secrets.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Directory of the shipped presets. */
export const PRESETS_DIR = join(ROOT, 'config', 'presets')
/** The config used when `--config` is not given (resolved from the install, not the working directory). */
export const DEFAULT_CONFIG_PATH = join(ROOT, 'config', 'default.json')
const MAX_BYTES = 1024 * 1024
// yaml is loaded on the first YAML file only: most runs read JSON, and every module costs start-up time.
const requireCjs = createRequire(import.meta.url)
let yamlModule: typeof import('yaml') | undefined
const PRESET_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/

/** Options for loading: the environment used for `${VAR}` substitution (defaults to process.env). */
export interface LoadOptions {
  env?: Record<string, string | undefined>
}

/** Reads, substitutes, validates `path`; throws a ConfigError listing every problem. */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<BotConfig> {
  return parseConfig(readConfigFile(path), path, options)
}

/** Names of the shipped presets (file names in config/presets without `.json`). */
export function listPresets(): string[] {
  try {
    return readdirSync(PRESETS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => basename(f, '.json'))
      .sort()
  } catch {
    return []
  }
}

/** Loads a shipped preset by name; an unknown name is an UnknownPresetError listing the available ones. */
export async function loadPreset(name: string, options: LoadOptions = {}): Promise<BotConfig> {
  return parseConfig(readPresetRaw(name), `preset ${name}`, options)
}

/** A preset's raw (unvalidated) content. */
export function readPresetRaw(name: string): unknown {
  const available = listPresets()
  if (!PRESET_NAME.test(name) || !available.includes(name)) throw new UnknownPresetError(name, available)
  return readConfigFile(join(PRESETS_DIR, `${name}.json`))
}

/**
 * Validates an already parsed config tree. A top-level `"preset": "<name>"` starts from that preset and
 * deep-merges the rest over it (objects merge, arrays and scalars replace).
 */
export async function parseConfig(raw: unknown, source: string, options: LoadOptions = {}): Promise<BotConfig> {
  const issues: ConfigIssue[] = []
  let tree = raw
  if (isPlainObject(raw) && Object.hasOwn(raw, 'preset')) {
    const { preset, ...rest } = raw
    if (typeof preset !== 'string') {
      issues.push({
        path: 'preset',
        message: 'expected a preset name (string)',
        fix: `use one of: ${listPresets().join(', ')}`,
      })
      tree = rest
    } else {
      try {
        tree = deepMerge(readPresetRaw(preset), rest)
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err
        issues.push(...err.issues.map((i) => ({ ...i, path: i.path === '(preset)' ? 'preset' : `preset → ${i.path}` })))
        tree = rest
      }
    }
  }
  const env = substituteEnv(tree, options.env ?? process.env)
  issues.push(...env.issues)
  for (const s of await findSecrets(env.value)) {
    const fromEnv = env.substituted.has(formatPath(s.path))
    issues.push({
      path: formatPath(s.path),
      message: `looks like a ${s.kind}${fromEnv ? ' (substituted from an environment variable)' : ''}; keys never go in the config`,
      fix: 'set wallets[].privateKeyEnv to the NAME of an env var holding the key, or wallets[].keystore to an encrypted keystore file',
    })
  }
  const result = BotConfigSchema.safeParse(env.value)
  if (!result.success) {
    const envPaths = new Set([...env.issues, ...issues].map((i) => i.path))
    issues.push(
      ...toConfigIssues(result.error.issues, BotConfigSchema, env.substituted, env.value).filter(
        (i) => !envPaths.has(i.path),
      ),
    )
  }
  if (issues.length > 0 || !result.success)
    throw new ConfigError('CONFIG_INVALID', source, redactSubstituted(issues, env.values))
  return result.data
}

/** Validates one job definition (for `bot add-task`): same rules as `jobs[]` entries, secrets refused. */
export async function parseJobConfig(raw: unknown, source: string): Promise<JobConfig> {
  const issues: ConfigIssue[] = (await findSecrets(raw)).map((s) => ({
    path: formatPath(s.path),
    message: `looks like a ${s.kind}; keys never go in a job definition`,
    fix: 'reference wallets by name; keys live in keystores or env vars',
  }))
  const result = jobSchema.safeParse(raw)
  if (!result.success) {
    const secretPaths = new Set(issues.map((i) => i.path))
    issues.push(
      ...toConfigIssues(result.error.issues, jobSchema, new Set(), raw).filter((i) => !secretPaths.has(i.path)),
    )
  }
  if (issues.length > 0 || !result.success)
    throw new ConfigError(
      'CONFIG_INVALID',
      source,
      issues,
      'fix each field listed; job fields are documented in config/README.md',
    )
  return result.data
}

/** Reads and parses one file as JSON (`.json`) or YAML (anything else); syntax errors never quote the file. */
export function readConfigFile(path: string): unknown {
  let text: string
  try {
    const st = statSync(path)
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' })
    if (st.size > MAX_BYTES) {
      throw new ConfigError('CONFIG_UNREADABLE', path, [
        { path: '(file)', message: `larger than ${MAX_BYTES} bytes`, fix: 'a config is a few KB; check the path' },
      ])
    }
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if (err instanceof ConfigError) throw err
    const code = (err as { code?: string }).code
    if (code === 'ENOENT') {
      throw new ConfigError(
        'CONFIG_NOT_FOUND',
        path,
        [{ path: '(file)', message: 'file not found' }],
        'pass --config <path> to an existing file, or start from config/example.yaml',
      )
    }
    throw new ConfigError(
      'CONFIG_UNREADABLE',
      path,
      [{ path: '(file)', message: `cannot read (${code ?? 'error'})` }],
      'check that the path is a readable file',
    )
  }
  return extname(path).toLowerCase() === '.json' ? parseJson(text, path) : parseYaml(text, path)
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    const pos = /position (\d+)/.exec(String((err as Error).message))
    const at = pos ? lineCol(text, Number(pos[1])) : undefined
    throw syntaxError(source, at ? `invalid JSON at line ${at.line}, column ${at.col}` : 'invalid JSON')
  }
}

function parseYaml(text: string, source: string): unknown {
  try {
    yamlModule ??= requireCjs('yaml') as typeof import('yaml')
    const doc = yamlModule.parseDocument(text, { prettyErrors: false, uniqueKeys: true })
    const first = doc.errors[0]
    if (first) {
      const at = first.linePos?.[0] ?? (first.pos ? lineCol(text, first.pos[0]) : undefined)
      throw syntaxError(source, `invalid YAML (${first.code})${at ? ` at line ${at.line}, column ${at.col}` : ''}`)
    }
    return doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    if (err instanceof ConfigError) throw err
    throw syntaxError(source, 'invalid YAML')
  }
}

function syntaxError(source: string, message: string): ConfigError {
  return new ConfigError('CONFIG_SYNTAX', source, [{ path: '(file)', message }], 'fix the syntax at that position')
}

function lineCol(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos)
  const line = before.split('\n').length
  return { line, col: pos - before.lastIndexOf('\n') }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(base))
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  for (const [k, v] of Object.entries(over)) {
    Object.defineProperty(out, k, {
      value: Object.hasOwn(out, k) ? deepMerge(out[k], v) : v,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}
