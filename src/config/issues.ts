// Turns zod issues into config issues an operator can act on: union noise pruned, unknown keys with suggestions.
import type { z } from 'zod'
import { formatPath, type ConfigIssue } from './errors.ts'

type ZodIssue = z.core.$ZodIssue
type Path = PropertyKey[]

/** Converts zod issues into config issues; `substituted` paths get a note that the value came from the env. */
export function toConfigIssues(
  issues: readonly ZodIssue[],
  schema: z.ZodType,
  substituted: Set<string>,
  raw: unknown,
): ConfigIssue[] {
  const out: ConfigIssue[] = []
  for (const issue of issues) collect(issue, [], schema, raw, out)
  for (const i of out) {
    if (substituted.has(i.path)) i.message += ' (the value came from an environment variable and is not shown)'
  }
  return dedupe(out)
}

function collect(issue: ZodIssue, prefix: Path, schema: z.ZodType, raw: unknown, out: ConfigIssue[]): void {
  const path = [...prefix, ...issue.path]
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branch = bestBranch(issue.errors)
    if (branch) {
      for (const sub of branch) collect(sub, path, schema, raw, out)
      return
    }
  }
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(schema, path)
    for (const key of issue.keys) {
      const near = allowed ? closest(key, allowed) : undefined
      out.push({
        path: formatPath([...path, key]),
        message: 'unknown key',
        fix: near
          ? `did you mean "${near}"? allowed here: ${allowed?.join(', ')}`
          : allowed
            ? `remove it; allowed here: ${allowed.join(', ')}`
            : 'remove it',
      })
    }
    return
  }
  const missing = issue.code === 'invalid_type' && isMissing(raw, path)
  const message = cleanMessage(issue.message)
  out.push({
    path: formatPath(path),
    message: missing ? `missing; ${message}` : message,
    fix: missing ? 'add this field' : undefined,
  })
}

/** True when the parent of `path` exists in the input as an object but has no such key. */
function isMissing(raw: unknown, path: Path): boolean {
  if (path.length === 0) return raw === undefined
  let node: unknown = raw
  for (const seg of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false
    node = (node as Record<PropertyKey, unknown>)[seg as string]
  }
  return node !== null && typeof node === 'object' && !Object.hasOwn(node, path[path.length - 1] as PropertyKey)
}

/** The union branch that got furthest: drop branches rejected only for their type at the union's own path. */
function bestBranch(branches: ZodIssue[][]): ZodIssue[] | undefined {
  const relevant = branches.filter((b) => !(b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0))
  if (relevant.length === 1) return relevant[0]
  // Several branches went deeper: prefer the one with a discriminator that matched (issues below the root).
  const deeper = relevant.filter((b) => b.some((i) => i.path.length > 0 || i.code !== 'invalid_union'))
  return deeper.length === 1 ? deeper[0] : undefined
}

/** zod's default messages say "Invalid input: expected string, received number"; keep the useful part. */
function cleanMessage(message: string): string {
  return message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '')
}

/** Keys an object schema accepts at `path`, or undefined when the path does not lead to an object. */
export function allowedKeys(schema: z.ZodType, path: Path): string[] | undefined {
  let node: unknown = schema
  for (const seg of [...path, null]) {
    node = unwrap(node)
    if (seg === null) break
    const def = defOf(node)
    if (!def) return undefined
    if (def.type === 'object') node = (def.shape as Record<string, unknown>)[String(seg)]
    else if (def.type === 'array') node = def.element
    else if (def.type === 'record') node = def.valueType
    else return undefined
  }
  const def = defOf(node)
  return def?.type === 'object' ? Object.keys(def.shape as object) : undefined
}

function defOf(node: unknown): (Record<string, unknown> & { type?: string }) | undefined {
  return (node as { _zod?: { def?: Record<string, unknown> & { type?: string } } } | undefined)?._zod?.def
}

function unwrap(node: unknown): unknown {
  for (let i = 0; i < 16; i++) {
    const def = defOf(node)
    if (!def) return node
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(def.type ?? ''))
      node = def.innerType
    else if (def.type === 'pipe') node = def.in
    else return node
  }
  return node
}

/** The allowed key nearest to `key` by edit distance, when close enough to be a likely typo. */
function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined
  let bestD = Infinity
  for (const a of allowed) {
    const d = distance(key.toLowerCase(), a.toLowerCase())
    if (d < bestD) [best, bestD] = [a, d]
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined
}

function distance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length] as number
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>()
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
