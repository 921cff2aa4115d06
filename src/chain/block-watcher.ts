// One poller per chain that scans new blocks for watched tx hashes, so waiting intents cost no RPC per tick.
import type { Hex } from 'viem'
import type { RpcSteps } from './rpc-steps.ts'

/** Where a watched hash was seen in a scanned block. */
export interface SeenTx {
  blockNumber: number
  blockHash: Hex
}

/** The watcher API used by the confirm loops. */
export interface BlockWatcher {
  watch(hash: Hex): void
  unwatch(hash: Hex): void
  /** The block a watched hash was seen in, if a scan found it. */
  seen(hash: Hex): SeenTx | undefined
  /** Resolves when a scan finds one of `hashes`, or after `ms` (whichever first). */
  wait(hashes: Iterable<Hex>, ms: number, signal?: AbortSignal): Promise<void>
  stop(): void
}

/** Options of the watcher. */
export interface BlockWatcherOptions {
  pollMs: number
  /** Most blocks scanned per tick (the confirm loops' direct receipt checks cover anything skipped). */
  maxBlocksPerTick?: number
  /** Recently scanned blocks whose tx hashes are remembered (default 2048). */
  keepBlocks?: number
}

/**
 * Polls `eth_blockNumber` while hashes are watched and fetches each new block's transaction hashes once.
 * It is an accelerator only: confirm loops still check receipts directly from time to time (the watchdog),
 * so a missed block, a reorg or a stale RPC answer delays, never decides, an outcome.
 */
export function createBlockWatcher(rpc: RpcSteps, options: BlockWatcherOptions): BlockWatcher {
  const watched = new Set<Hex>()
  // Every tx hash of recently scanned blocks (not only watched ones): a hash watched just after its block was
  // scanned is still found. Bounded by block count.
  const recent = new Map<Hex, SeenTx>()
  const recentBlocks: Hex[][] = []
  const keepBlocks = options.keepBlocks ?? 2048
  const waiters = new Map<() => void, Set<Hex>>()
  const maxBlocks = options.maxBlocksPerTick ?? 64
  const request = rpc.client.request as (a: { method: string; params: unknown[] }) => Promise<unknown>
  let lastScanned: number | undefined
  let timer: NodeJS.Timeout | undefined
  let ticking = false

  const notify = (hits?: Set<Hex>) => {
    for (const [w, hashes] of [...waiters]) {
      if (!hits || [...hashes].some((h) => hits.has(h))) w()
    }
  }
  const tick = async () => {
    if (ticking) return
    ticking = true
    try {
      const head = await rpc.blockNumber()
      if (lastScanned === undefined || head < lastScanned) lastScanned = Math.max(-1, head - 2)
      const from = lastScanned + 1
      const to = Math.min(head, lastScanned + maxBlocks)
      if (to < from) return
      const blocks = await Promise.all(
        Array.from({ length: to - from + 1 }, (_, i) =>
          request({ method: 'eth_getBlockByNumber', params: [`0x${(from + i).toString(16)}`, false] }),
        ),
      )
      const hits = new Set<Hex>()
      for (const b of blocks as ({ number: Hex; hash: Hex; transactions: Hex[] } | null)[]) {
        if (!b) continue
        const seenTx = { blockNumber: Number(BigInt(b.number)), blockHash: b.hash }
        const hashes = b.transactions.map((h) => h.toLowerCase() as Hex)
        for (const h of hashes) {
          recent.set(h, seenTx)
          if (watched.has(h)) hits.add(h)
        }
        recentBlocks.push(hashes)
        while (recentBlocks.length > keepBlocks) for (const h of recentBlocks.shift()!) recent.delete(h)
      }
      lastScanned = to
      if (hits.size > 0) notify(hits)
    } catch {
      // The next tick tries again; confirm loops fall back to direct receipt checks.
    } finally {
      ticking = false
    }
  }
  const ensureTimer = () => {
    if (!timer && watched.size > 0) {
      timer = setInterval(() => {
        void tick()
      }, options.pollMs)
      timer.unref()
    }
  }
  return {
    watch(hash) {
      watched.add(hash.toLowerCase() as Hex)
      ensureTimer()
    },
    unwatch(hash) {
      const h = hash.toLowerCase() as Hex
      watched.delete(h)
      if (watched.size === 0 && timer) {
        clearInterval(timer)
        timer = undefined
      }
    },
    seen: (hash) => recent.get(hash.toLowerCase() as Hex),
    wait(hashes, ms, signal) {
      const set = new Set([...hashes].map((h) => h.toLowerCase() as Hex))
      return new Promise<void>((resolve) => {
        // An abort that landed while the caller's last check was in flight: no wait at all.
        if (signal?.aborted) return resolve()
        const done = () => {
          clearTimeout(t)
          waiters.delete(done)
          signal?.removeEventListener('abort', done)
          resolve()
        }
        const t = setTimeout(done, ms)
        waiters.set(done, set)
        signal?.addEventListener('abort', done, { once: true })
      })
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      notify()
    },
  }
}
