// An adapter registry built from a list: lookup by id, duplicate ids refused, and params parsed into typed errors.
import { ValidationError } from '../src/errors/validation-error.ts'
import { AdapterRegistryError } from './shared/errors.ts'
import type { Call, ProtocolAdapter, ReadContext } from './types.ts'

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
        throw new AdapterRegistryError(`adapter id "${adapter.id}" is not kebab-case`, 'use lowercase letters, digits and dashes')
      }
      if (byId.has(adapter.id)) throw new AdapterRegistryError(`adapter "${adapter.id}" is registered twice`, 'give each adapter a unique id')
      byId.set(adapter.id, adapter)
    },
    get(id) {
      const a = byId.get(id)
      if (!a) throw new AdapterRegistryError(`unknown adapter "${id}" (known: ${[...byId.keys()].join(', ')})`, 'fix the job\'s adapter id or register the adapter in protocols/index.ts')
      return a
    },
    has: (id) => byId.has(id),
    list: () => [...byId.values()],
  }
  for (const a of adapters) registry.register(a)
  return registry
}

/** Parses raw params with the adapter's schema; bad input becomes a ValidationError naming every bad field. */
export function parseAdapterParams<P>(adapter: ProtocolAdapter<P, unknown>, raw: unknown): P {
  const parsed = adapter.params.safeParse(raw)
  if (!parsed.success) throw ValidationError.fromZod(`${adapter.id} params`, parsed.error, 'fix the job\'s params')
  return parsed.data
}

/**
 * Parses raw params then builds the calls: the one entry point the bot uses, so invalid params never reach
 * an adapter's reads and never produce a call. Returns the parsed params too (for snapshot/verify).
 */
export async function prepareAdapterCalls<P>(adapter: ProtocolAdapter<P, unknown>, ctx: ReadContext, raw: unknown): Promise<{ params: P; calls: Call[] }> {
  const params = parseAdapterParams(adapter, raw)
  const calls = await adapter.buildCalls(ctx, params)
  return { params, calls }
}
