// The send-path soak's chain: anvil with a harness-driven miner, restarted at intervals from a pruned state dump.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { startAnvil, type AnvilInstance } from '../../src/devnet/anvil.ts'

/** Options of the soak chain. */
export interface SoakChainOptions {
  /** Where state dumps are written. */
  dir: string
  /** Restart from a pruned dump after this many blocks since the last (re)start (default: never). */
  restartEveryBlocks?: number
  /** Called with the new node's URL before the old node stops (a proxy in front re-targets here). */
  onRestart?: (url: string) => void
  log?: (line: string) => void
}

/** What the restarts did, for the report and the final checks. */
export interface SoakChainStats {
  restarts: number
  /** Empty blocks left out of the dumps: they answer `null` afterwards and are known to hold no transaction. */
  prunedBlocks: number
  /** Transactions in the old node's pool just before the switch (lost with it; the senders re-broadcast them). */
  droppedAtRestart: number
  /** Restarts that failed (each is a problem of the soak). */
  failures: string[]
}

/** A running soak chain. */
export interface SoakChain {
  chainId: number
  /** The current node's URL (changes at each restart). */
  url(): string
  stats(): SoakChainStats
  /** Stops mining for good and waits for a restart in progress. */
  stopMining(): Promise<void>
  stop(): Promise<void>
}

interface DumpedBlock {
  header: { number: string | number; parentHash: string; hash?: string }
  transactions: unknown[]
}
interface DumpedState {
  best_block_number: string | number
  blocks: DumpedBlock[]
  accounts: Record<string, { storage?: Record<string, string> }>
}

/** Blocks kept below the head whatever they hold: enough for confirmations and recent-block reads. */
const KEEP_RECENT_BLOCKS = 256
// EIP-2935 keeps the last 8191 block hashes in the storage of a system contract (a ring of slots n % 8191).
const HISTORY_RING = 8191

/**
 * Leaves out of a dump what makes anvil slower block after block, and nothing a sender can observe:
 * - the EIP-2935 block-hash ring (found by its content: the slot of the head's parent holds that parent's
 *   hash), whose storage grows by one slot per block and makes each mined block cost more (~1.5 ms CPU per
 *   1,000 blocks on this machine); only contracts reading old block hashes through it would notice;
 * - empty blocks older than the last KEEP_RECENT_BLOCKS but genesis (blocks with transactions stay, so every
 *   receipt and every mined transaction can still be read).
 * Returns the number of blocks left out.
 */
export function pruneDump(state: DumpedState): number {
  const best = Number(state.best_block_number)
  const head = state.blocks.find((b) => Number(b.header.number) === best)
  if (head && best > 0) {
    const slot = BigInt((best - 1) % HISTORY_RING)
    for (const account of Object.values(state.accounts)) {
      const storage = account.storage ?? {}
      const hit = Object.entries(storage).some(([k, v]) => BigInt(k) === slot && v === head.header.parentHash)
      if (hit) account.storage = {}
    }
  }
  const before = state.blocks.length
  state.blocks = state.blocks.filter(
    // Genesis stays: a node loading the dump would otherwise keep its own genesis in its place.
    (b) =>
      b.transactions.length > 0 || Number(b.header.number) === 0 || Number(b.header.number) > best - KEEP_RECENT_BLOCKS,
  )
  return before - state.blocks.length
}

/** A call the node does not answer in this time fails the restart (reported) instead of stalling the chain. */
const RPC_TIMEOUT_MS = 30_000

/** One JSON-RPC call with a deadline. */
async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
  })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (body.error) throw new Error(`${method} failed: ${body.error.message}`)
  return body.result as T
}

/**
 * Starts anvil without automine and mines every 20 ms while transactions wait, an empty block every 100 ms
 * otherwise (for confirmations); the miner, not anvil's interval mining, so that it can pause for a dump
 * (a soak whose restart began by switching interval mining off once stalled for good).
 * Every `restartEveryBlocks` blocks: pause, mine what the pool holds, dump the state, start a fresh node
 * from the pruned dump, check it holds the same head (number and hash), and switch to it. Transactions sent
 * between the last mine and the switch are lost with the old node's pool, as with any node restart: the
 * senders see them dropped and re-broadcast the journaled bytes.
 */
export async function startSoakChain(options: SoakChainOptions): Promise<SoakChain> {
  let anvil: AnvilInstance = await startAnvil({ automine: false })
  const chainId = anvil.chainId
  const stats: SoakChainStats = { restarts: 0, prunedBlocks: 0, droppedAtRestart: 0, failures: [] }
  let startHeight = 0
  let busy: Promise<void> | undefined
  let mining = true
  let ticks = 0

  // The miner is paused while this runs (one tick at a time): nothing is mined between the dump and the switch.
  const restart = async (): Promise<void> => {
    const old = anvil
    await rpc(old.rpcUrl, 'evm_mine')
    const hex = await rpc<string>(old.rpcUrl, 'anvil_dumpState')
    const head = await rpc<{ number: string; hash: string }>(old.rpcUrl, 'eth_getBlockByNumber', ['latest', false])
    const state = JSON.parse(gunzipSync(Buffer.from(hex.slice(2), 'hex')).toString()) as DumpedState
    if (Number(state.best_block_number) !== Number(head.number))
      throw new Error(`state dump at block ${state.best_block_number}, node head ${Number(head.number)}`)
    const pruned = pruneDump(state)
    const file = join(options.dir, `chain-${stats.restarts + 1}.json`)
    writeFileSync(file, JSON.stringify(state))
    const next = await startAnvil({ automine: false, chainId, extraArgs: ['--load-state', file] })
    // Nothing was mined since the dump: the new node's block at the old head's height must be the old head.
    const loaded = await rpc<{ number: string; hash: string } | null>(next.rpcUrl, 'eth_getBlockByNumber', [
      head.number,
      false,
    ])
    if (loaded?.number !== head.number || loaded.hash !== head.hash) {
      await next.stop()
      throw new Error(`restarted node has block ${loaded?.number} ${loaded?.hash}, want ${head.number} ${head.hash}`)
    }
    const pool = await rpc<{ pending: string; queued: string }>(old.rpcUrl, 'txpool_status')
    anvil = next
    options.onRestart?.(next.rpcUrl)
    stats.droppedAtRestart += Number(pool.pending) + Number(pool.queued)
    stats.restarts++
    stats.prunedBlocks += pruned
    startHeight = Number(head.number)
    await old.stop()
    options.log?.(
      `chain restart ${stats.restarts} at block ${startHeight}: ${pruned} empty blocks pruned, ` +
        `${Number(pool.pending) + Number(pool.queued)} pooled txs dropped`,
    )
  }

  const tick = async (): Promise<void> => {
    const status = await rpc<{ pending: string }>(anvil.rpcUrl, 'txpool_status')
    if (Number(status.pending) === 0 && ++ticks % 5 !== 0) return
    await rpc(anvil.rpcUrl, 'evm_mine')
    if (!options.restartEveryBlocks) return
    const height = Number(await rpc<string>(anvil.rpcUrl, 'eth_blockNumber'))
    if (height - startHeight < options.restartEveryBlocks) return
    // A failed restart keeps the old node and is reported: the soak must not pass by skipping its restarts.
    await restart().catch((err: unknown) => {
      stats.failures.push(`chain restart failed: ${err instanceof Error ? err.message : String(err)}`)
      startHeight = height
    })
  }
  const watcher = setInterval(() => {
    if (busy || !mining) return
    busy = tick()
      .catch((err: unknown) => options.log?.(`chain: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (busy = undefined))
  }, 20)

  return {
    chainId,
    url: () => anvil.rpcUrl,
    stats: () => ({ ...stats, failures: [...stats.failures] }),
    async stopMining() {
      mining = false
      clearInterval(watcher)
      await busy
    },
    async stop() {
      mining = false
      clearInterval(watcher)
      await busy
      await anvil.stop()
    },
  }
}
