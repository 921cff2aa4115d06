// A fast path for strict zod objects with many optional keys: validates only the keys an input has.
import { z } from 'zod'

/** Shared frozen empties for defaults such as `{}` and `[]` (100,000-job plans hold one of each, not 100,000). */
export const EMPTY_OBJECT = Object.freeze({}) as Record<string, never>
export const EMPTY_ARRAY = Object.freeze([]) as unknown as string[]

const CACHE_MAX = 1_024
type KeyNode = { schema: z.ZodType | null; next: Map<string, KeyNode> }

/**
 * Returns a parser for `z.strictObject(shape)` that costs what the input's keys cost. zod's object parse visits
 * every key of the shape: a job spec names three or four of two dozen, and zod then allocated ~2.7 KB per job.
 * The parser validates the present keys (and the required ones) with the same key schemas, then adds the
 * defaults of the absent keys; empty `{}`/`[]` defaults become the shared frozen empties.
 * It answers undefined whenever it is not sure (not a plain object, an unknown or inherited key, any invalid
 * value): the caller then runs the full schema, which gives the error. So it can only be faster, never different.
 */
export function presentKeysParser<T>(shape: Record<string, z.ZodType>): (input: unknown) => T | undefined {
  const required: string[] = []
  /** Absent keys' defaults: a value to share (a primitive or a frozen empty), or null for a fresh one each time. */
  const defaults: [string, unknown][] = []
  for (const [key, schema] of Object.entries(shape)) {
    const absent = schema.safeParse(undefined)
    if (!absent.success) required.push(key)
    else if (absent.data !== undefined) defaults.push([key, sharedDefault(absent.data)])
  }
  // Schemas by the input's key sequence, as a trie: a lookup walks the keys without building a key string.
  let root: KeyNode = { schema: null, next: new Map() }
  let nodes = 0

  function schemaAt(node: KeyNode, input: object): z.ZodType {
    if (node.schema) return node.schema
    const picked: Record<string, z.ZodType> = {}
    for (const k of [...Object.keys(input), ...required]) picked[k] = shape[k]!
    node.schema = z.strictObject(picked)
    return node.schema
  }

  return (input) => {
    if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype)
      return undefined
    if (nodes >= CACHE_MAX) {
      root = { schema: null, next: new Map() }
      nodes = 0
    }
    let node = root
    for (const k in input) {
      if (!Object.hasOwn(input, k) || !Object.hasOwn(shape, k)) return undefined
      let child = node.next.get(k)
      if (!child) {
        node.next.set(k, (child = { schema: null, next: new Map() }))
        nodes++
      }
      node = child
    }
    const r = schemaAt(node, input).safeParse(input)
    if (!r.success) return undefined
    const out = r.data as Record<string, unknown>
    for (const [k, v] of defaults) {
      if (Object.hasOwn(out, k)) continue
      out[k] = v ?? shape[k]!.parse(undefined)
    }
    return out as T
  }
}

function sharedDefault(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v
  if (Array.isArray(v)) return v.length === 0 ? EMPTY_ARRAY : null
  return Object.keys(v).length === 0 && Object.getPrototypeOf(v) === Object.prototype ? EMPTY_OBJECT : null
}
