// Builds a ReadContext from read-only clients, the wallet, the operator's wallets and the address book.
import type { Address, PublicClient } from 'viem'
import { paramError } from './shared/errors.ts'
import type { AddressBook, Clock, ReadContext } from './types.ts'

/** The real clock: wall time and an abortable timer. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(t)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
}

/** Inputs of createReadContext. */
export interface ReadContextInput {
  clients: Record<number, PublicClient>
  wallet: Address
  /** Defaults to [wallet]. */
  ownWallets?: readonly Address[]
  book: AddressBook
  clock?: Clock
  signal?: AbortSignal
}

/** A read-only context; asking for a chain without a client is a ValidationError (wrong chain in params). */
export function createReadContext(input: ReadContextInput): ReadContext {
  return {
    client(chainId) {
      const c = input.clients[chainId]
      if (!c)
        throw paramError(
          'context',
          'chainId',
          `no RPC client for chain ${chainId} (configured: ${Object.keys(input.clients).join(', ')})`,
          'add the chain to config',
        )
      return c
    },
    wallet: input.wallet,
    ownWallets: input.ownWallets ?? [input.wallet],
    clock: input.clock ?? systemClock,
    book: input.book,
    signal: input.signal,
  }
}
