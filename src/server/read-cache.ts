// Short-lived cache of read answers in the HTTP worker: many clients asking the same thing cost the scheduler's
// thread one call; every state change drops it, so a read after a write sees the write.

/** The cache: `get` returns a cached (or in-flight) answer or calls `load`. */
export interface ReadCache {
  get(key: string, load: () => Promise<unknown>, options?: ReadOptions): Promise<unknown>
  /** A state change happened: answers loaded before it are stale. */
  invalidate(): void
}

/** Per-read choices: answers that do not follow job state (health, metrics) may ignore changes and live longer. */
export interface ReadOptions {
  ignoreChanges?: boolean
  ttlMs?: number
}

const MAX_ENTRIES = 500

/** Creates a cache whose answers live at most `ttlMs`; failures are never cached. */
export function createReadCache(ttlMs: number, now: () => number = Date.now): ReadCache {
  let generation = 0
  const entries = new Map<string, { generation: number; at: number; value: Promise<unknown> }>()
  return {
    get(key, load, options = {}) {
      const t = now()
      const hit = entries.get(key)
      if (hit && t - hit.at < (options.ttlMs ?? ttlMs) && (options.ignoreChanges || hit.generation === generation))
        return hit.value
      if (entries.size >= MAX_ENTRIES) {
        for (const [k, e] of entries) if (t - e.at >= ttlMs || e.generation !== generation) entries.delete(k)
        if (entries.size >= MAX_ENTRIES) entries.clear()
      }
      const entry = { generation, at: t, value: load() }
      entries.set(key, entry)
      entry.value.catch(() => {
        if (entries.get(key) === entry) entries.delete(key)
      })
      return entry.value
    },
    invalidate() {
      generation++
    },
  }
}
