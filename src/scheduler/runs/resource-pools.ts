// Named resource pools (e.g. wallet:<address> = 1, rpc:<chain> = 4): capacity checks and reservations.
import { ResourceAllocationError } from '../errors.ts'

/** Pools with capacities and current use. */
export interface ResourcePools {
  /** Throws ResourceAllocationError for an unknown pool or a need above a pool's capacity. */
  validate(jobId: string, need: Readonly<Record<string, number>>): void
  /** True when every needed unit is free now. */
  available(need: Readonly<Record<string, number>>): boolean
  reserve(need: Readonly<Record<string, number>>): void
  release(need: Readonly<Record<string, number>>): void
  /** Adds a pool or changes its capacity (lowering it never evicts current holders). */
  define(name: string, capacity: number): void
  /** Why `need` cannot be met now, one line per short pool. */
  shortages(need: Readonly<Record<string, number>>): string[]
}

/** Creates the pools from a name -> capacity map. */
export function createResourcePools(capacities: Readonly<Record<string, number>> = {}): ResourcePools {
  const pools = new Map<string, { capacity: number; used: number }>()
  const define = (name: string, capacity: number) => {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new ResourceAllocationError('POOL_CAPACITY', `resource pool "${name}" has capacity ${capacity}`, {
        hint: 'give every pool a whole capacity of at least 1',
      })
    }
    const p = pools.get(name)
    if (p) p.capacity = capacity
    else pools.set(name, { capacity, used: 0 })
  }
  for (const [n, c] of Object.entries(capacities)) define(n, c)
  return {
    define,
    validate(jobId, need) {
      for (const [name, amount] of Object.entries(need)) {
        const p = pools.get(name)
        if (!p) {
          throw new ResourceAllocationError('POOL_UNKNOWN', `job "${jobId}" needs unknown resource pool "${name}"`, {
            hint: `declare it in resourcePools (known: ${[...pools.keys()].join(', ') || 'none'})`,
            details: { jobId, pool: name },
          })
        }
        if (amount > p.capacity) {
          throw new ResourceAllocationError(
            'POOL_TOO_SMALL',
            `job "${jobId}" needs ${amount} of pool "${name}" but its capacity is ${p.capacity}`,
            {
              hint: "lower the job's need or raise the pool capacity",
              details: { jobId, pool: name, amount, capacity: p.capacity },
            },
          )
        }
      }
    },
    available(need) {
      for (const name in need) {
        const p = pools.get(name)
        if (!p || p.used + need[name]! > p.capacity) return false
      }
      return true
    },
    reserve(need) {
      for (const name in need) pools.get(name)!.used += need[name]!
    },
    release(need) {
      for (const name in need) {
        const p = pools.get(name)
        if (p) p.used = Math.max(0, p.used - need[name]!)
      }
    },
    shortages(need) {
      const out: string[] = []
      for (const [name, amount] of Object.entries(need)) {
        const p = pools.get(name)
        if (!p) out.push(`pool ${name} does not exist`)
        else if (p.used + amount > p.capacity)
          out.push(`pool ${name}: needs ${amount}, ${p.capacity - p.used} of ${p.capacity} free`)
      }
      return out
    },
  }
}
