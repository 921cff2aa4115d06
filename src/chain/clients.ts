// viem public clients per chain: no response cache, fast polling, fallback over several (secret) RPC URLs.
import { createPublicClient, defineChain, fallback, http, type Address, type Chain, type PublicClient } from 'viem'
import { registerUrlSecrets } from '../logging/redact.ts'
import { ChainIdMismatchError, ChainError } from './errors.ts'
import { mapViemError } from './map-viem-error.ts'

/** Settings for one chain's client. RPC URLs are secrets (API keys in path or query). */
export interface ChainClientConfig {
  chainId: number
  /** One or more RPC URLs, tried in order (viem `fallback`). */
  rpcUrls: readonly string[]
  name?: string
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number
  /** Block/receipt polling interval in ms (default 250). */
  pollingIntervalMs?: number
  /** Retries of the whole fallback sequence (default 1); the engine does its own retries of safe steps. */
  retryCount?: number
  /** Delay before a transport retry in ms (default 150). */
  retryDelayMs?: number
  nativeSymbol?: string
  /** A Multicall3-compatible contract (`aggregate3`): reads made in the same tick then go out as one eth_call. */
  multicall?: Address
  /**
   * JSON-RPC batching: requests made in the same tick go out as one HTTP request of at most this many calls
   * (default 0: off, one HTTP request per call; some providers cap or refuse batches).
   */
  rpcBatchSize?: number
  /** Called once per JSON-RPC request sent (for the RPC-calls metrics); never sees the URL. */
  onRequest?: (method: string) => void
}

/**
 * Defines a viem Chain without any RPC URL in it: the chain object is easy to log or serialize by accident,
 * so URLs live only inside the transports.
 */
export function defineBotChain(chainId: number, name?: string, nativeSymbol = 'ETH', multicall?: Address): Chain {
  return defineChain({
    id: chainId,
    name: name ?? `chain-${chainId}`,
    nativeCurrency: { name: nativeSymbol, symbol: nativeSymbol, decimals: 18 },
    rpcUrls: { default: { http: [] } },
    ...(multicall ? { contracts: { multicall3: { address: multicall } } } : {}),
  })
}

/**
 * Creates a public client for one chain: `cacheTime: 0` (viem's default caches block numbers and returns stale
 * heights), a short polling interval, a request timeout, and a fallback over every configured URL with few
 * retries. Throws a non-retryable ChainError when no URL is configured.
 */
export function createChainClient(config: ChainClientConfig): PublicClient {
  if (config.rpcUrls.length === 0) {
    throw new ChainError('RPC_NOT_CONFIGURED', `no RPC URL configured for chain ${config.chainId}`, {
      chainId: config.chainId,
      hint: 'add at least one rpc URL for this chain in the config',
    })
  }
  // From now on these URLs' keys are scrubbed from any log line or error text, even when a node echoes them.
  for (const url of config.rpcUrls) registerUrlSecrets(url)
  const timeout = config.timeoutMs ?? 10_000
  const retryDelay = config.retryDelayMs ?? 150
  // Each URL gets no retries of its own: a failing URL hands over to the next one at once.
  const onFetchRequest = config.onRequest ? countRequests(config.onRequest) : undefined
  const batch = config.rpcBatchSize ? { batchSize: config.rpcBatchSize, wait: 0 } : false
  const transports = config.rpcUrls.map((url) => http(url, { timeout, retryCount: 0, batch, onFetchRequest }))
  const transport =
    transports.length === 1
      ? http(config.rpcUrls[0], { timeout, retryCount: config.retryCount ?? 1, retryDelay, batch, onFetchRequest })
      : fallback(transports, { retryCount: config.retryCount ?? 1, retryDelay, rank: false })
  return createPublicClient({
    chain: defineBotChain(config.chainId, config.name, config.nativeSymbol, config.multicall),
    transport,
    cacheTime: 0,
    pollingInterval: config.pollingIntervalMs ?? 250,
    // Reads issued in the same tick (balances, allowances, quotes, feeds of many jobs) share one eth_call.
    batch: { multicall: config.multicall ? { wait: 0, batchSize: 32_768 } : false },
  })
}

/** Reads the JSON-RPC method of each outgoing request (the body is a clone; the URL is never looked at). */
function countRequests(onRequest: (method: string) => void) {
  return (_request: Request, init: RequestInit): void => {
    try {
      const body = JSON.parse(String(init.body)) as { method?: string } | { method?: string }[]
      for (const b of Array.isArray(body) ? body : [body]) onRequest(b.method ?? 'unknown')
    } catch {
      onRequest('unknown')
    }
  }
}

/** Creates one client per configured chain, keyed by chain id. */
export function createChainClients(configs: readonly ChainClientConfig[]): Map<number, PublicClient> {
  const out = new Map<number, PublicClient>()
  for (const c of configs) out.set(c.chainId, createChainClient(c))
  return out
}

/**
 * Asks the RPC for its chain id (`eth_chainId`, uncached) and throws ChainIdMismatchError (non-retryable)
 * when it differs from `expected`; RPC failures come back as mapped, usually retryable, ChainErrors.
 * The engine calls this before signing, so a misrouted URL never receives a signed transaction.
 */
export async function assertChainId(client: PublicClient, expected: number): Promise<void> {
  let actual: number
  try {
    actual = await client.getChainId()
  } catch (err) {
    throw mapViemError(err, { chainId: expected })
  }
  if (actual !== expected) throw new ChainIdMismatchError(expected, actual)
}
