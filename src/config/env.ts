// `${VAR}` substitution in config string values; substituted values are tracked so they never reach messages.
import type { ConfigIssue } from './errors.ts'
import { formatPath } from './errors.ts'

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g
const MAX_DEPTH = 64

/** Result of substitution: the new tree, one issue per missing variable, and the paths that received a value. */
export interface Substitution {
  value: unknown
  issues: ConfigIssue[]
  /** Formatted paths whose string came (partly) from the environment. */
  substituted: Set<string>
  /** Each substituted value and the variable it came from, so messages can name the variable instead. */
  values: Map<string, string>
}

/**
 * Replaces every substituted value in the issues' messages and fixes by its `${NAME}`: a message that quotes
 * a field (`adapter "..." is not listed`) must not show what came from the environment, which may be a secret.
 */
export function redactSubstituted(issues: ConfigIssue[], values: Map<string, string>): ConfigIssue[] {
  // Longest first, so a value that contains another is replaced whole; very short values would garble text.
  const pairs = [...values].filter(([v]) => v.length >= 4).sort((a, b) => b[0].length - a[0].length)
  if (pairs.length === 0) return issues
  const scrub = (text: string) => pairs.reduce((t, [v, name]) => t.split(v).join(`\${${name}}`), text)
  return issues.map((i) => ({ ...i, message: scrub(i.message), ...(i.fix ? { fix: scrub(i.fix) } : {}) }))
}

/**
 * Replaces `${NAME}` (or `${NAME:-fallback}`) in every string value; `$${` is a literal `${`. A variable that
 * is unset (or empty without a fallback) is an issue naming the path and the variable, never its value.
 */
export function substituteEnv(raw: unknown, env: Record<string, string | undefined>): Substitution {
  const issues: ConfigIssue[] = []
  const substituted = new Set<string>()
  const values = new Map<string, string>()
  const walk = (v: unknown, path: (string | number)[], depth: number): unknown => {
    if (depth > MAX_DEPTH) {
      issues.push({
        path: formatPath(path),
        message: `nested deeper than ${MAX_DEPTH} levels`,
        fix: 'flatten this value',
      })
      return null
    }
    if (typeof v === 'string') {
      if (!v.includes('${')) return v
      let used = false
      const out = v.replace(REF, (match, name: string | undefined, fallback: string | undefined) => {
        if (match === '$${') return '${'
        const value = env[name as string]
        if (value === undefined || (value === '' && fallback === undefined)) {
          if (fallback !== undefined) return fallback
          issues.push({
            path: formatPath(path),
            message: `environment variable ${name} is not set`,
            fix: `export ${name}=... (for systemd: in the unit's EnvironmentFile) or remove the reference`,
          })
          return ''
        }
        used = true
        values.set(value, name as string)
        return value
      })
      if (used) substituted.add(formatPath(path))
      return out
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i], depth + 1))
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) {
        Object.defineProperty(out, k, {
          value: walk(x, [...path, k], depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return out
    }
    return v
  }
  return { value: walk(raw, [], 0), issues, substituted, values }
}
