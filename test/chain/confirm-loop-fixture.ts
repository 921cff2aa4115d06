// Confirm-loop tests' fixture: an engine on a hand-driven clock, behind a counting proxy, over a real anvil.
import type { Hex } from 'viem'
import type { IntentRow, IntentStatus } from '../../src/chain/intent-types.ts'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'
import type { EngineChainConfig, TxEngineOptions } from '../../src/chain/tx-engine.ts'
import type { AnvilOptions } from '../../src/devnet/anvil.ts'
import { randomAddress, startEngineFixture, type EngineFixture } from './engine-fixture.ts'

/** A clock that moves only when the test says: every timed decision of the loop happens at a chosen instant. */
export interface ManualClock {
  now: () => number
  advance(ms: number): void
}

/** A manual clock starting at a fixed instant. */
function manualClock(start = 1_700_000_000_000): ManualClock {
  let t = start
  return { now: () => t, advance: (ms) => void (t += ms) }
}

/** Polls `check` until it returns a value (generous deadline: the machine is shared). */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, ms = 10_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v !== undefined && v !== false) return v as T
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await pause(15)
  }
}

/** Real time for the loop to run several iterations (it sleeps real milliseconds between steps). */
export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** The engine fixture plus its proxy, its clock and a per-method call counter. */
export interface LoopFixture {
  fx: EngineFixture
  proxy: FaultProxy
  clock: ManualClock
  /** Calls of `method` the engine made so far. */
  calls(method: string): number
  /** Counters as they were when the lane last finished a broadcast, before that send's confirm loop started. */
  atBroadcast: Record<string, number>
  /** The promise of a send settled into its value or error (so a rejection is never unhandled). */
  settle<T>(p: Promise<T>): Promise<T | unknown>
  /** Sends a transfer as run `runId` (current engine); the settled result and the row once it reached `status`. */
  transfer(
    runId: string,
    status?: IntentStatus,
    signal?: AbortSignal,
  ): Promise<{ pending: Promise<unknown>; row: IntentRow }>
  close(): Promise<void>
}

/**
 * Starts anvil, a counting proxy and an engine whose clock is `clock` (frozen unless advanced).
 * Fast iterations come from a small `stuckAfterMs` with `maxBumps: 0` unless a test sets them.
 */
export async function startLoopFixture(
  chain: Partial<EngineChainConfig>,
  anvil: AnvilOptions = { automine: false },
  engine: Partial<TxEngineOptions> = {},
): Promise<LoopFixture> {
  const clock = manualClock()
  const settle = <T>(p: Promise<T>) => p.catch((e: unknown) => e)
  let proxy!: FaultProxy
  const atBroadcast: Record<string, number> = {}
  const fx = await startEngineFixture({
    anvil,
    chain,
    engine: {
      ...engine,
      now: clock.now,
      // Snapshot once, at the end of the send path: what the confirm loop calls afterwards is its own.
      onStep: (step) => {
        if (step === 'broadcast') {
          for (const k of Object.keys(atBroadcast)) delete atBroadcast[k]
          Object.assign(atBroadcast, proxy.counts())
        }
      },
    },
    engineUrl: async (a) => {
      proxy = await startFaultProxy({ target: a.rpcUrl })
      return proxy.url
    },
  })
  return {
    fx,
    proxy,
    clock,
    atBroadcast,
    calls: (method) => proxy.counts()[method] ?? 0,
    settle,
    async transfer(runId, status = 'broadcast', signal) {
      const pending = settle(
        fx.engine.send(
          { chainId: fx.anvil.chainId, to: randomAddress(), value: 1n },
          { runId, wallet: fx.wallet, signal },
        ),
      )
      const row = await until(() => fx.engine.journal.byRun(runId).find((r) => r.status === status), status)
      return { pending, row }
    },
    async close() {
      await proxy.close()
      await fx.close()
    },
  }
}

/** Hex quantity for anvil cheat methods. */
export const hex = (n: bigint | number): Hex => `0x${n.toString(16)}`
