// A recorded base-fee day as the bench's market: the trace, its fee cap, and an eth_feeHistory client over it.
import { basename } from 'node:path'
import type { FeeHistoryClient } from '../../src/risk/gas-oracle.ts'
import { readBaseFeeTrace, type TraceSample } from '../../src/risk/market-csv.ts'

/** Blocks the oracle window holds (eth_feeHistory serves at most 1,024 per call; the bot keeps the same). */
export const WINDOW_BLOCKS = 1024

/** One trace, ready to replay. */
export interface TraceMarket {
  name: string
  blocks: TraceSample[]
  /** Index of the first block jobs may be released at (the oracle window has filled by then). */
  warmup: number
  /** The cap of every job: the trace's 97th percentile, an emergency-only ceiling that still binds. */
  cap: bigint
}

/** Loads a trace file and derives its warm-up and cap. */
export function loadTraceMarket(path: string): TraceMarket {
  const blocks = readBaseFeeTrace(path)
  const sorted = blocks.map((b) => b.baseFeePerGas).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return {
    name: basename(path),
    blocks,
    warmup: Math.min(WINDOW_BLOCKS, Math.floor(blocks.length / 4)),
    cap: sorted[Math.floor(sorted.length * 0.97)]!,
  }
}

/**
 * A read-only FeeHistoryClient over the trace whose head is block `head()`: `getBlock` returns the head's number
 * and timestamp, `getFeeHistory` the base fees up to it plus the next block's (what a node reports), no tips.
 */
export function traceClient(blocks: readonly TraceSample[], head: () => number): FeeHistoryClient {
  const first = blocks[0]!.blockNumber
  const client = {
    async getBlock() {
      const b = blocks[head()]!
      return { number: b.blockNumber, timestamp: BigInt(b.timestamp) }
    },
    async getFeeHistory({ blockCount, blockNumber }: { blockCount: number; blockNumber: bigint }) {
      const end = Number(blockNumber - first)
      const start = Math.max(0, end - blockCount + 1)
      const baseFeePerGas = blocks.slice(start, end + 2).map((b) => b.baseFeePerGas)
      return { oldestBlock: blocks[start]!.blockNumber, baseFeePerGas, gasUsedRatio: [], reward: undefined }
    },
  }
  return client as unknown as FeeHistoryClient
}
