// The `send_calls` task: how transaction jobs reach the engine through the scheduler's task catalog.
import { z } from 'zod'
import type { Address, Hex } from 'viem'
import type { TaskDefinition } from '../scheduler/index.ts'
import { ValidationError } from '../errors/validation-error.ts'
import type { TxEngine } from './tx-engine-types.ts'
import { decodeApproval } from './spend-policy.ts'
import { createWalletTurns, walletTurnKey, type WalletTurns } from './wallet-turns.ts'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte hex address')
const hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, '0x-prefixed hex bytes')

/** Args of a `send_calls` job: the exact calls an adapter built, sent in order from one wallet. */
export const sendCallsArgsSchema = z.object({
  wallet: address,
  calls: z
    .array(
      z.object({
        chainId: z.number().int().positive(),
        to: address,
        data: hex.optional(),
        /** Wei as a decimal string (JSON has no bigint). */
        value: z.string().regex(/^\d+$/, 'wei as a decimal string').optional(),
      }),
    )
    .min(1),
  dryRun: z.boolean().optional(),
  /** Validity of each transaction in ms; past it an unmined tx is cancelled. */
  deadlineMs: z.number().int().positive().optional(),
})

/** Parsed `send_calls` args. */
export type SendCallsArgs = z.infer<typeof sendCallsArgsSchema>

/** Options of the task factory. */
export interface SendCallsTaskOptions {
  /** Task type name in the catalog (default `send_calls`). */
  type?: string
  /** Turns shared with every task that sends from the same wallets (default: this task's own). */
  turns?: WalletTurns
}

const parseArgs = (args: unknown): SendCallsArgs => {
  const parsed = sendCallsArgsSchema.safeParse(args)
  if (!parsed.success) throw ValidationError.fromZod('send_calls args', parsed.error)
  return parsed.data
}

/**
 * Builds the catalog entry. Each call is sent with (originRunId, callIndex) as its idempotency key, so a retried
 * attempt or a crash replacement finds what the journal holds instead of signing again; `recovery: 'reconcile'`
 * makes the scheduler ask the journal (and the chain) about a run interrupted by a crash rather than re-running it.
 */
export function defineSendCallsTask(
  engine: TxEngine,
  options: SendCallsTaskOptions = {},
): TaskDefinition<SendCallsArgs> {
  const turns = options.turns ?? createWalletTurns()
  return {
    type: options.type ?? 'send_calls',
    description: 'simulate, cap, sign, send and confirm a list of calls from one wallet, exactly once per run',
    argsSchema: sendCallsArgsSchema,
    recovery: 'reconcile',
    async handler(ctx) {
      const args = parseArgs(ctx.args)
      const hashes: string[] = []
      const blockNumbers: number[] = []
      // A list that approves holds the wallet's turn on each chain it uses (taken in chain order, so two lists never
      // wait on each other) until its last call is mined: another job's approval of the same spender in between
      // would replace its allowance before it spends. Lists without one (transfers) pipeline through the lane.
      const ends: (() => void)[] = []
      const approves = args.calls.some((c) => decodeApproval(c.data as Hex | undefined) !== undefined)
      try {
        const chains = approves ? [...new Set(args.calls.map((c) => c.chainId))].sort((x, y) => x - y) : []
        for (const chainId of chains) ends.push(await turns.take(walletTurnKey(args.wallet, chainId), ctx.signal))
        for (const [i, call] of args.calls.entries()) {
          const tx = {
            chainId: call.chainId,
            to: call.to as Address,
            data: call.data as Hex | undefined,
            value: call.value === undefined ? undefined : BigInt(call.value),
          }
          const base = {
            runId: ctx.originRunId,
            wallet: args.wallet as Address,
            callIndex: i,
            signal: ctx.signal,
            deadlineMs: args.deadlineMs,
          }
          if (args.dryRun) {
            const res = await engine.send(tx, { ...base, dryRun: true })
            hashes.push(`dry-run:${res.intentId}`)
            continue
          }
          const res = await engine.send(tx, base)
          hashes.push(res.hash)
          blockNumbers.push(res.receipt.blockNumber)
        }
      } finally {
        for (const end of ends) end()
      }
      return { hashes, blockNumbers }
    },
    async reconcile(ctx) {
      const args = sendCallsArgsSchema.safeParse(ctx.args)
      return engine.reconcileRun(ctx.originRunId, { expectedCalls: args.success ? args.data.calls.length : undefined })
    },
  }
}
