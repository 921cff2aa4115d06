// Counts JSON-RPC requests per chain and method, so the metrics can show what a tick costs in RPC calls.

/** The counter; `hook(chainId)` is what a client's transport calls per request. */
export interface RpcCounter {
  hook(chainId: number): (method: string) => void
  /** Requests sent so far per chain id. */
  totals(): Record<number, number>
  /** Requests per chain and method. */
  byMethod(): { chainId: number; method: string; count: number }[]
}

/** Creates an empty counter. */
export function createRpcCounter(): RpcCounter {
  const counts = new Map<number, Map<string, number>>()
  return {
    hook(chainId) {
      const m = counts.get(chainId) ?? new Map<string, number>()
      counts.set(chainId, m)
      return (method) => m.set(method, (m.get(method) ?? 0) + 1)
    },
    totals() {
      const out: Record<number, number> = {}
      for (const [id, m] of counts) out[id] = [...m.values()].reduce((a, b) => a + b, 0)
      return out
    },
    byMethod() {
      return [...counts].flatMap(([chainId, m]) => [...m].map(([method, count]) => ({ chainId, method, count })))
    },
  }
}
