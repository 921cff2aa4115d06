// Watches what event-triggered jobs wait for: prices and gas on each market tick, gas and logs on each new block.
// A condition fires its job when it becomes true (once per crossing); a log fires on each new match. State is
// stored, so a restart neither re-fires a crossing already seen nor skips or replays blocks.
import { toEventSelector, type Hex, type PublicClient } from 'viem'
import type { Logger } from '../logging/logger.ts'
import type { RiskAssessment } from '../risk/assessment.ts'
import type { Scheduler } from '../scheduler/index.ts'
import type { Db } from '../store/database.ts'

type On = { kind: string } & Record<string, unknown>

/** The watcher: feed it assessments; `start()` polls new blocks; `stop()` ends polling. */
export interface EventWatcher {
  onAssessment(a: RiskAssessment): void
  /** One pass over new blocks (the poll loop calls it; tests may too). */
  pollBlocks(): Promise<void>
  start(): void
  stop(): void
}

/** Creates the watcher over the scheduler's event-triggered jobs. */
export function createEventWatcher(o: {
  scheduler: Scheduler
  db: Db
  clients: Record<number, PublicClient>
  logger: Logger
  pollMs: number
}): EventWatcher {
  const get = o.db.prepare('SELECT satisfied, last_block FROM event_trigger_state WHERE job_id = ?')
  const put = o.db
    .prepare(`INSERT INTO event_trigger_state (job_id, satisfied, last_block, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (job_id) DO UPDATE SET satisfied = excluded.satisfied, last_block = excluded.last_block, updated_at = excluded.updated_at`)
  const state = (jobId: string) =>
    (get.get(jobId) as { satisfied: number | null; last_block: number | null } | undefined) ?? {
      satisfied: null,
      last_block: null,
    }
  type Watched = Record<'price' | 'gas' | 'log', { id: string; eventOn: On }[]>
  /** The enabled event-triggered jobs by kind, from one listing per pass. */
  const watched = (): Watched => {
    const w: Watched = { price: [], gas: [], log: [] }
    for (const j of o.scheduler.listJobs()) {
      const kind = j.eventOn?.kind
      if (j.enabled && (kind === 'price' || kind === 'gas' || kind === 'log'))
        w[kind].push(j as { id: string; eventOn: On })
    }
    return w
  }
  const fire = (jobId: string, detail: string) => {
    const r = o.scheduler.fireEvent(jobId, detail)
    o.logger.info({ jobId, detail, ...r }, 'event trigger fired')
  }
  /** Edge detection: fires when the condition turns true (an unknown previous state counts as false). */
  const level = (jobId: string, satisfied: boolean, detail: string) => {
    const s = state(jobId)
    if (satisfied && s.satisfied !== 1) fire(jobId, detail)
    if (s.satisfied !== (satisfied ? 1 : 0)) put.run(jobId, satisfied ? 1 : 0, s.last_block, Date.now())
  }
  const gasCheck = (gasJobs: Watched['gas'], chainId: number, baseFee: bigint) => {
    for (const j of gasJobs) {
      if (j.eventOn.chainId !== chainId) continue
      const limit = BigInt(Math.round(Number(j.eventOn.belowGwei) * 1e9))
      level(
        j.id,
        baseFee < limit,
        `base fee on ${chainId} is ${Number(baseFee) / 1e9} gwei < ${String(j.eventOn.belowGwei)} gwei`,
      )
    }
  }
  const lastHead = new Map<number, bigint>()
  let timer: NodeJS.Timeout | undefined
  let polling = false

  async function pollChain(chainId: number, client: PublicClient, w: Watched) {
    const head = await client.getBlockNumber()
    if (lastHead.get(chainId) === head) return
    lastHead.set(chainId, head)
    if (w.gas.some((j) => j.eventOn.chainId === chainId)) {
      const block = await client.getBlock({ blockNumber: head })
      if (block.baseFeePerGas !== null && block.baseFeePerGas !== undefined)
        gasCheck(w.gas, chainId, block.baseFeePerGas)
    }
    for (const j of w.log) {
      if (j.eventOn.chainId !== chainId) continue
      const s = state(j.id)
      // A new log trigger starts at the current head: history before it was added is not replayed.
      if (s.last_block === null) {
        put.run(j.id, s.satisfied, Number(head), Date.now())
        continue
      }
      if (BigInt(s.last_block) >= head) continue
      const logs = (await client.request({
        method: 'eth_getLogs',
        params: [
          {
            address: j.eventOn.address as Hex,
            topics: [toEventSelector(String(j.eventOn.event))],
            fromBlock: `0x${(BigInt(s.last_block) + 1n).toString(16)}`,
            toBlock: `0x${head.toString(16)}`,
          },
        ],
      })) as { blockNumber: Hex; transactionHash: Hex }[]
      put.run(j.id, s.satisfied, Number(head), Date.now())
      if (logs.length > 0) {
        fire(
          j.id,
          `${logs.length} ${String(j.eventOn.event)} log(s) from ${String(j.eventOn.address)} on ${chainId}, first in block ${BigInt(logs[0]!.blockNumber)} tx ${logs[0]!.transactionHash}`,
        )
      }
    }
  }

  const watcher: EventWatcher = {
    onAssessment(a) {
      const w = watched()
      for (const j of w.price) {
        const obs = a.prices.find((p) => p.source === j.eventOn.feed)
        if (!obs || !obs.ok) continue
        const above = j.eventOn.above as number | undefined
        const below = j.eventOn.below as number | undefined
        const satisfied = above !== undefined ? obs.price > above : obs.price < (below as number)
        level(j.id, satisfied, `price ${obs.source} ${obs.price} ${above !== undefined ? `> ${above}` : `< ${below}`}`)
      }
      for (const g of Object.values(a.gas))
        if (g.baseFee !== null && g.status === 'fresh') gasCheck(w.gas, g.chainId, g.baseFee)
    },
    async pollBlocks() {
      if (polling) return
      polling = true
      try {
        const w = watched()
        if (w.log.length === 0 && w.gas.length === 0) return
        for (const [id, client] of Object.entries(o.clients)) {
          await pollChain(Number(id), client, w).catch((err: unknown) =>
            o.logger.warn({ chainId: Number(id), err: (err as Error).message }, 'event watch: block poll failed'),
          )
        }
      } finally {
        polling = false
      }
    },
    start() {
      timer ??= setInterval(() => void watcher.pollBlocks(), o.pollMs)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
  return watcher
}
