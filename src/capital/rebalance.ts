// Rebalancing: compares target allocations with on-chain positions and emits allocate_<protocol> job specs past thresholds.
import type { Allocation, ProtocolSpec } from './allocator.ts'
import { toCapitalUnits } from './allocator.ts'
import { ValidationError } from '../errors/validation-error.ts'

/** Reads a protocol position (asset units) for the operator's wallet; implementations read the chain. */
export interface PositionReader {
  read(protocol: ProtocolSpec): Promise<bigint>
}

/** Thresholds that keep the bot from churning on small differences. */
export interface RebalanceOptions {
  capitalDecimals: number
  /** Smallest trade worth a transaction, in capital units. */
  minTradeSize: bigint
  /** Smallest difference worth acting on, in basis points of the target (or of the position when the target is 0). */
  driftThresholdBps: number
}

/** One move of funds into or out of a protocol; amounts are in the protocol asset's units. */
export interface RebalanceInstruction {
  protocol: string
  chainId: number
  action: 'deposit' | 'withdraw'
  amount: bigint
  current: bigint
  target: bigint
  /** 1 runs first: withdrawals (which free capital) before deposits, larger moves first. */
  priority: number
}

/** Plain job data for the scheduler (it adds the job); `args` is JSON-safe (amounts as decimal strings). */
export interface AllocationJobSpec {
  taskType: `allocate_${string}`
  priority: number
  /** Stable per (protocol, action, amount, target, plan) so re-planning the same move does not add a second job. */
  dedupeKey: string
  args: {
    protocol: string
    chainId: number
    action: 'deposit' | 'withdraw'
    amount: string
    current: string
    target: string
  }
}

/** Reads every protocol's current position through `reader` (sequentially: a few reads, no RPC bursts). */
export async function readPositions(
  reader: PositionReader,
  protocols: readonly ProtocolSpec[],
): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {}
  for (const p of protocols) {
    const v = await reader.read(p)
    if (v < 0n) {
      throw new ValidationError('position', [{ path: p.id, message: 'the position reader returned a negative amount' }])
    }
    out[p.id] = v
  }
  return out
}

/**
 * Emits instructions for protocols whose position differs from the target by at least `minTradeSize` AND at
 * least `driftThresholdBps`. Protocols absent from `targets` have target 0 (full withdrawal if past thresholds).
 */
export function planRebalance(
  targets: readonly Allocation[],
  positions: Record<string, bigint>,
  protocols: readonly ProtocolSpec[],
  options: RebalanceOptions,
): RebalanceInstruction[] {
  const bad = [
    ...(options.minTradeSize < 0n ? [{ path: 'minTradeSize', message: 'must not be negative' }] : []),
    ...(options.driftThresholdBps >= 0 ? [] : [{ path: 'driftThresholdBps', message: 'must be a number >= 0' }]),
  ]
  if (bad.length > 0) throw new ValidationError('rebalance options', bad)
  const byId = new Map(targets.map((t) => [t.protocol, t]))
  const moves: Omit<RebalanceInstruction, 'priority'>[] = []
  const sizeOf = new Map<string, bigint>()
  for (const p of protocols) {
    const target = byId.get(p.id)?.amount ?? 0n
    const current = positions[p.id] ?? 0n
    if (target === current) continue
    const diff = target > current ? target - current : current - target
    const diffValue = toCapitalUnits(diff, options.capitalDecimals, p.asset.decimals)
    if (diffValue < options.minTradeSize || diffValue === 0n) continue
    const base = target > 0n ? target : current
    if (diff * 10_000n < BigInt(Math.ceil(options.driftThresholdBps)) * base) continue
    moves.push({
      protocol: p.id,
      chainId: p.chainId,
      action: target > current ? 'deposit' : 'withdraw',
      amount: diff,
      current,
      target,
    })
    sizeOf.set(p.id, diffValue)
  }
  moves.sort(
    (a, b) =>
      (a.action === b.action ? 0 : a.action === 'withdraw' ? -1 : 1) ||
      (sizeOf.get(b.protocol)! > sizeOf.get(a.protocol)!
        ? 1
        : sizeOf.get(b.protocol)! < sizeOf.get(a.protocol)!
          ? -1
          : 0) ||
      (a.protocol < b.protocol ? -1 : 1),
  )
  return moves.map((m, i) => ({ ...m, priority: i + 1 }))
}

/** Turns instructions into `allocate_<protocol>` job specs; `planId` names the plan (e.g. the market tick's id). */
export function toJobSpecs(instructions: readonly RebalanceInstruction[], planId: string): AllocationJobSpec[] {
  return instructions.map((m) => ({
    taskType: `allocate_${m.protocol}` as const,
    priority: m.priority,
    dedupeKey: `${planId}:${m.protocol}:${m.action}:${m.amount}:${m.target}`,
    args: {
      protocol: m.protocol,
      chainId: m.chainId,
      action: m.action,
      amount: m.amount.toString(),
      current: m.current.toString(),
      target: m.target.toString(),
    },
  }))
}
