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
}

/**
 * Replaces `${NAME}` (or `${NAME:-fallback}`) in every string value; `$${` is a literal `${`. A variable that
 * is unset (or empty without a fallback) is an issue naming the path and the variable, never its value.
 */
export function substituteEnv(raw: unknown, env: Record<string, string | undefined>): Substitution {
  const issues: ConfigIssue[] = []
  const substituted = new Set<string>()
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
  return { value: walk(raw, [], 0), issues, substituted }
}
