// An adapter registry built from a list: lookup by id, duplicate ids refused, and params parsed into typed errors.
import { ValidationError, type FieldIssue } from '../src/errors/validation-error.ts'
import { applyAmountRule, applyAmountRuleOffline } from './shared/amount-fields.ts'
import { AdapterRegistryError } from './shared/errors.ts'
import type { AddressBook, Call, ProtocolAdapter, ReadContext } from './types.ts'

/** Any adapter, whatever its params type (the registry only hands raw input to the adapter's own schema). */
export type AnyAdapter = ProtocolAdapter<any, any>

/** Lookup of registered adapters. */
export interface AdapterRegistry {
  /** Adds an adapter; an id already registered is an error (two adapters must never answer to one id). */
  register(adapter: AnyAdapter): void
  /** The adapter with this id, or an AdapterRegistryError listing the known ids. */
  get(id: string): AnyAdapter
  has(id: string): boolean
  list(): readonly AnyAdapter[]
}

/** Creates a registry holding `adapters` (usually `builtinAdapters` from protocols/index.ts). */
export function createAdapterRegistry(adapters: readonly AnyAdapter[] = []): AdapterRegistry {
  const byId = new Map<string, AnyAdapter>()
  const registry: AdapterRegistry = {
    register(adapter) {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(adapter.id)) {
        throw new AdapterRegistryError(
          `adapter id "${adapter.id}" is not kebab-case`,
          'use lowercase letters, digits and dashes',
        )
      }
      if (byId.has(adapter.id))
        throw new AdapterRegistryError(`adapter "${adapter.id}" is registered twice`, 'give each adapter a unique id')
      byId.set(adapter.id, adapter)
    },
    get(id) {
      const a = byId.get(id)
      if (!a)
        throw new AdapterRegistryError(
          `unknown adapter "${id}" (known: ${[...byId.keys()].join(', ')})`,
          "fix the job's adapter id or register the adapter in protocols/index.ts",
        )
      return a
    },
    has: (id) => byId.has(id),
    list: () => [...byId.values()],
  }
  for (const a of adapters) registry.register(a)
  return registry
}

/**
 * Parses raw params with the adapter's schema; bad input becomes a ValidationError naming every bad field.
 * With a `book`, declared amount fields in token units ("0.2") are converted first, without any RPC call.
 */
export function parseAdapterParams<P>(adapter: ProtocolAdapter<P, unknown>, raw: unknown, book?: AddressBook): P {
  const applied = book ? applyAmountRuleOffline(adapter.amounts, raw, book) : { params: raw, issues: [] }
  return finishParse(adapter, applied.params, applied.issues)
}

/** Like parseAdapterParams, and reads (once, cached) the decimals of tokens the book lacks, e.g. vault shares. */
export async function resolveAdapterParams<P>(
  adapter: ProtocolAdapter<P, unknown>,
  ctx: ReadContext,
  raw: unknown,
): Promise<P> {
  const applied = await applyAmountRule(adapter.amounts, raw, ctx.book, ctx)
  return finishParse(adapter, applied.params, applied.issues)
}

function finishParse<P>(adapter: ProtocolAdapter<P, unknown>, params: unknown, amountIssues: FieldIssue[]): P {
  const parsed = adapter.params.safeParse(params)
  const bad = new Set(amountIssues.map((i) => i.path))
  const issues = [
    ...amountIssues,
    ...(parsed.success
      ? []
      : parsed.error.issues
          .map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
          .filter((i) => !bad.has(i.path))),
  ]
  if (issues.length > 0 || !parsed.success)
    throw new ValidationError(`${adapter.id} params`, issues, "fix the job's params")
  return parsed.data
}

/**
 * Parses raw params then builds the calls: the one entry point the bot uses, so invalid params never reach
 * an adapter's reads and never produce a call. Returns the parsed params too (for snapshot/verify).
 */
export async function prepareAdapterCalls<P>(
  adapter: ProtocolAdapter<P, unknown>,
  ctx: ReadContext,
  raw: unknown,
): Promise<{ params: P; calls: Call[] }> {
  const params = await resolveAdapterParams(adapter, ctx, raw)
  const calls = await adapter.buildCalls(ctx, params)
  return { params, calls }
}
