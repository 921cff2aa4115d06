// Block-explorer links for messages, from the explorers viem/chains publishes per chain id.

const explorers = new Map<number, string>()
let loading: Promise<void> | undefined

/**
 * Loads the explorer table from viem/chains (hundreds of chain definitions: a few hundred ms to seconds, so
 * once, in the background, and only when a configured chain can have an explorer). Until then links fall back.
 */
export function loadExplorers(): Promise<void> {
  loading ??= import('viem/chains').then((all) => {
    for (const c of Object.values(all) as { id?: number; blockExplorers?: { default?: { url?: string } } }[]) {
      const url = c?.blockExplorers?.default?.url
      if (typeof c?.id === 'number' && url && !explorers.has(c.id)) explorers.set(c.id, url.replace(/\/+$/, ''))
    }
  })
  return loading
}

/** The explorer base URL of a chain, or undefined (devnets, unknown chains, table not loaded yet). */
export function explorerUrl(chainId: number): string | undefined {
  return explorers.get(chainId)
}

/** A link to a transaction, else to an address, on the chain's explorer; falls back to `fallback` (the dashboard). */
export function explorerLink(
  chainId: number | undefined,
  target: { tx?: string; address?: string },
  fallback?: string,
): string | undefined {
  const base = chainId === undefined ? undefined : explorerUrl(chainId)
  if (base && target.tx) return `${base}/tx/${target.tx}`
  if (base && target.address) return `${base}/address/${target.address}`
  return fallback
}
