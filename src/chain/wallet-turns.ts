// Turns per wallet and chain: one sending task at a time builds and sends from a wallet on a chain, so each builds
// on the state the previous one left (allowances, balances). Two swaps or supplies built at once would both read an
// allowance of 0, approve their own exact amounts in turn, and the first spend would leave the second short.

/** Gives out turns in the order asked, one key at a time. */
export interface WalletTurns {
  /**
   * Waits for the turn on `key`; resolves with the function that ends it. Rejects with the signal's reason if the
   * signal aborts while waiting (the turn then passes on, nothing is held).
   */
  take(key: string, signal?: AbortSignal): Promise<() => void>
  /** Keys with a turn held or asked for (empty when idle). */
  busyKeys(): string[]
}

/** The key for a wallet's calls on a chain (null chain: calls whose chain is not known before they are built). */
export function walletTurnKey(wallet: string, chainId: number | null): string {
  return `${wallet.toLowerCase()}@${chainId ?? 'any'}`
}

/** Creates an empty set of turns. */
export function createWalletTurns(): WalletTurns {
  const tails = new Map<string, Promise<void>>()
  return {
    async take(key, signal) {
      signal?.throwIfAborted()
      const before = tails.get(key) ?? Promise.resolve()
      let release!: () => void
      const mine = new Promise<void>((resolve) => (release = resolve))
      const tail = before.then(() => mine)
      tails.set(key, tail)
      const end = () => {
        release()
        if (tails.get(key) === tail) tails.delete(key)
      }
      try {
        await untilAborted(before, signal)
      } catch (err) {
        end()
        throw err
      }
      return end
    },
    busyKeys: () => [...tails.keys()],
  }
}

function untilAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}
