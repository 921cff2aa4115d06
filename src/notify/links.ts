// Block-explorer links for messages, from the explorers viem/chains publishes per chain id.
import * as allChains from 'viem/chains'

const explorers = new Map<number, string>()
for (const c of Object.values(allChains) as { id?: number; blockExplorers?: { default?: { url?: string } } }[]) {
  const url = c?.blockExplorers?.default?.url
  if (typeof c?.id === 'number' && url && !explorers.has(c.id)) explorers.set(c.id, url.replace(/\/+$/, ''))
}

/** The explorer base URL of a chain, or undefined (devnets, unknown chains). */
export function explorerUrl(chainId: number): string | undefined {
  return explorers.get(chainId)
}

/** A link to a transaction, else to an address, on the chain's explorer; falls back to `fallback` (the dashboard). */
export function explorerLink(chainId: number | undefined, target: { tx?: string; address?: string }, fallback?: string): string | undefined {
  const base = chainId === undefined ? undefined : explorerUrl(chainId)
  if (base && target.tx) return `${base}/tx/${target.tx}`
  if (base && target.address) return `${base}/address/${target.address}`
  return fallback
}
