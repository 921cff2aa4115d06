// The engine's RPC steps that are safe to repeat (reads, rebroadcast of the same signed bytes), with typed errors.
import pRetry, { AbortError } from 'p-retry'
import type { Address, Hex, PublicClient } from 'viem'
import { AlreadyKnownError, ChainError, NonceError } from './errors.ts'
import { mapViemError } from './map-viem-error.ts'

/** A minimal receipt: what the confirmation logic needs. */
export interface MinimalReceipt {
  transactionHash: Hex
  blockHash: Hex
  blockNumber: number
  status: 'success' | 'reverted'
}

/** How a broadcast of signed bytes ended. */
export type BroadcastOutcome =
  | { kind: 'accepted' }
  | { kind: 'unknown'; error: ChainError }
  | { kind: 'nonce_too_low'; error: ChainError }
  | { kind: 'rejected'; error: ChainError }

/** Read helpers bound to one chain's client. */
export interface RpcSteps {
  chainId: number
  client: PublicClient
  /** A read, retried (only on retryable errors) with short backoff; throws a mapped ChainError. */
  read<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>
  nonce(address: Address, tag: 'latest' | 'pending', signal?: AbortSignal): Promise<number>
  balance(address: Address, signal?: AbortSignal): Promise<bigint>
  blockNumber(signal?: AbortSignal): Promise<number>
  receipt(hash: Hex, signal?: AbortSignal): Promise<MinimalReceipt | null>
  chainIdOf(signal?: AbortSignal): Promise<number>
  /** One `eth_sendRawTransaction`; never retried here: the caller decides from the outcome. */
  broadcast(raw: Hex): Promise<BroadcastOutcome>
}

/** Options for the read retries. */
export interface RpcStepsOptions {
  retries?: number
  minTimeoutMs?: number
}

/** Binds the repeatable RPC steps to a client; reads retry retryable failures, broadcasts never retry. */
export function createRpcSteps(chainId: number, client: PublicClient, options: RpcStepsOptions = {}): RpcSteps {
  const retries = options.retries ?? 4
  const minTimeout = options.minTimeoutMs ?? 50
  const request = client.request as (args: { method: string; params: unknown[] }) => Promise<unknown>
  const retried = <T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> =>
    pRetry(
      async () => {
        try {
          return await fn()
        } catch (err) {
          const mapped = mapViemError(err, { chainId })
          throw mapped.retryable ? mapped : new AbortError(mapped)
        }
      },
      { retries: retries - 1, minTimeout, maxTimeout: minTimeout * 8, factor: 2, signal },
    )
  // The first try runs bare: p-retry's machinery per read is measurable at hundreds of sends per second, and
  // almost every read succeeds at once. Only a retryable failure enters the backoff loop (so the total number of tries is unchanged).
  const read = async <T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    signal?.throwIfAborted()
    try {
      return await fn()
    } catch (err) {
      const mapped = mapViemError(err, { chainId })
      if (!mapped.retryable || retries === 0) throw mapped
      await new Promise((resolve) => setTimeout(resolve, minTimeout))
      return retried(fn, signal)
    }
  }
  const hexNum = (v: unknown): number => Number(BigInt(v as string))
  return {
    chainId,
    client,
    read,
    nonce: (address, tag, signal) =>
      read(async () => hexNum(await request({ method: 'eth_getTransactionCount', params: [address, tag] })), signal),
    balance: (address, signal) =>
      read(
        async () => BigInt((await request({ method: 'eth_getBalance', params: [address, 'latest'] })) as string),
        signal,
      ),
    blockNumber: (signal) => read(async () => hexNum(await request({ method: 'eth_blockNumber', params: [] })), signal),
    chainIdOf: (signal) => read(async () => hexNum(await request({ method: 'eth_chainId', params: [] })), signal),
    receipt: (hash, signal) =>
      read(async () => {
        const r = (await request({ method: 'eth_getTransactionReceipt', params: [hash] })) as {
          transactionHash: Hex
          blockHash: Hex
          blockNumber: Hex
          status: Hex
        } | null
        if (!r || !r.blockHash || !r.blockNumber) return null
        return {
          transactionHash: r.transactionHash,
          blockHash: r.blockHash,
          blockNumber: hexNum(r.blockNumber),
          status: r.status === '0x1' ? 'success' : 'reverted',
        }
      }, signal),
    async broadcast(raw) {
      try {
        await request({ method: 'eth_sendRawTransaction', params: [raw] })
        return { kind: 'accepted' }
      } catch (err) {
        const mapped = mapViemError(err, { chainId, broadcast: true })
        if (mapped instanceof AlreadyKnownError) return { kind: 'accepted' }
        if (mapped instanceof NonceError && mapped.code === 'NONCE_TOO_LOW')
          return { kind: 'nonce_too_low', error: mapped }
        if (mapped.unknown) return { kind: 'unknown', error: mapped }
        return { kind: 'rejected', error: mapped }
      }
    },
  }
}
