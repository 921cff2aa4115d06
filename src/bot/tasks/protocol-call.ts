// The `protocol_call` task: an adapter builds calls, the engine sends them exactly once, the adapter verifies.
import { z } from 'zod'
import type { LocalAccount, PublicClient } from 'viem'
import { decodeApproval } from '../../chain/spend-policy.ts'
import type { TxEngine } from '../../chain/tx-engine.ts'
import { AppError } from '../../errors/app-error.ts'
import { ValidationError } from '../../errors/validation-error.ts'
import type { TaskDefinition } from '../../scheduler/index.ts'
import { createReadContext } from '../../../protocols/context.ts'
import { resolveAdapterParams, type AdapterRegistry } from '../../../protocols/registry.ts'
import type { AddressBook } from '../../../protocols/types.ts'
import type { RunCallsStore } from '../run-calls.ts'
import { createWalletTurns, walletTurnKey, type WalletTurns } from '../../chain/wallet-turns.ts'

/** Args of a protocol_call job. */
export const protocolCallArgsSchema = z.strictObject({
  adapter: z.string().min(1),
  /** Wallet name from config. */
  wallet: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Stop after simulation and record what would have been sent. */
  dryRun: z.boolean().optional(),
})

/** What the task needs from the bot. */
export interface ProtocolCallDeps {
  engine: TxEngine
  registry: AdapterRegistry
  clients: Record<number, PublicClient>
  wallets: Map<string, LocalAccount>
  book: AddressBook
  runCalls: RunCallsStore
  /**
   * The chains are a dry run's separate forks: nothing relays between them, so a bridge's arrival check would
   * wait for its whole timeout and fail. It is reported as not checked instead; every other check still runs.
   */
  isolatedForks?: boolean
  /** Gas paid per chain (wei), reported to the circuit breaker's daily budget. */
  onGasSpent?: (chainId: number, wei: bigint) => void
  /** Turns shared with every task that sends from the bot's wallets (default: this task's own). */
  turns?: WalletTurns
}

/** A verification that did not hold yet (e.g. a bridge deposit not arrived): retryable, calls are not resent. */
export class PostConditionError extends AppError {
  override name = 'PostConditionError' as const
}

/** The chain a call's params send on (`chainId`, or a bridge's `fromChainId`); null when they name neither. */
function chainOfParams(params: unknown): number | null {
  const p = params as { chainId?: unknown; fromChainId?: unknown }
  const c = p.chainId ?? p.fromChainId
  return typeof c === 'number' ? c : null
}

function parse(args: unknown) {
  const r = protocolCallArgsSchema.safeParse(args)
  if (!r.success) throw ValidationError.fromZod('protocol_call args', r.error, 'give {adapter, wallet, params}')
  return r.data
}

/** Builds the catalog entry; recovery is `reconcile` because it sends transactions. */
export function defineProtocolCallTask(deps: ProtocolCallDeps): TaskDefinition {
  const walletOf = (name: string) => {
    const w = deps.wallets.get(name)
    if (!w)
      throw new ValidationError('protocol_call args', [
        { path: 'wallet', message: `unknown wallet "${name}" (known: ${[...deps.wallets.keys()].join(', ')})` },
      ])
    return w
  }
  const turns = deps.turns ?? createWalletTurns()
  return {
    type: 'protocol_call',
    description: 'build calls with a protocol adapter, send them through the transaction engine, verify the outcome',
    recovery: 'reconcile',
    argsSchema: protocolCallArgsSchema,
    async handler(ctx) {
      const args = parse(ctx.args)
      const adapter = deps.registry.get(args.adapter)
      const account = walletOf(args.wallet)
      const read = createReadContext({
        clients: deps.clients,
        wallet: account.address,
        ownWallets: [...deps.wallets.values()].map((w) => w.address),
        book: deps.book,
        signal: ctx.signal,
      })
      // From reading the wallet's state (amounts such as "50%" read balances) to its last call mined, the wallet's
      // other calls on this chain wait; the verification after (a bridge's arrival may take minutes) holds nothing.
      const endTurn = await turns.take(walletTurnKey(account.address, chainOfParams(args.params)), ctx.signal)
      let params: unknown
      let pinned = deps.runCalls.get(ctx.originRunId)
      const sent: { label: string; chainId: number; hash: string; blockNumber?: number }[] = []
      try {
        params = await resolveAdapterParams(adapter, read, args.params)
        if (!pinned) {
          const snapshot = adapter.snapshot ? await adapter.snapshot(read, params) : undefined
          const calls = await adapter.buildCalls(read, params)
          pinned = deps.runCalls.pin(ctx.originRunId, adapter.id, { calls, snapshot })
        }
        for (const [i, call] of pinned.calls.entries()) {
          // An exact approval declares the spend it allows, so it counts against the token's daily cap.
          const approval = decodeApproval(call.data)
          const tokenSpends =
            approval && approval.amount > 0n ? [{ token: call.to, amount: approval.amount }] : undefined
          const tx = { chainId: call.chainId, to: call.to, data: call.data, value: call.value, tokenSpends }
          const base = { runId: ctx.originRunId, wallet: account.address, callIndex: i, signal: ctx.signal }
          if (args.dryRun) {
            const r = await deps.engine.send(tx, { ...base, dryRun: true })
            sent.push({ label: call.label, chainId: call.chainId, hash: `dry-run:${r.intentId}` })
            continue
          }
          const r = await deps.engine.send(tx, base)
          sent.push({ label: call.label, chainId: call.chainId, hash: r.hash, blockNumber: r.receipt.blockNumber })
          if (!r.resumed && deps.onGasSpent) {
            const receipt = await deps.clients[call.chainId]?.getTransactionReceipt({ hash: r.hash }).catch(() => null)
            if (receipt) deps.onGasSpent(call.chainId, receipt.gasUsed * receipt.effectiveGasPrice)
          }
        }
      } finally {
        endTurn()
      }
      let evidence: string | undefined
      if (!args.dryRun && deps.isolatedForks && adapter.verifiesArrival) {
        evidence = 'arrival not checked: the dry run forks each chain on its own, and nothing relays between forks'
      } else if (!args.dryRun && adapter.verify && pinned.snapshot !== undefined) {
        const v = await adapter.verify(read, params, pinned.snapshot)
        if (!v.ok)
          throw new PostConditionError('POST_CONDITION', `${adapter.id}: ${v.reason}`, {
            retryable: true,
            hint: 'the calls were sent once; a retry only checks again',
          })
        evidence = v.evidence
      }
      return { adapter: adapter.id, calls: sent, evidence }
    },
    async reconcile(ctx) {
      const pinned = deps.runCalls.get(ctx.originRunId)
      if (pinned) return deps.engine.reconcileRun(ctx.originRunId, { expectedCalls: pinned.calls.length })
      // Pins live in each instance's own database: a run taken over from a peer may have sent calls this instance
      // never saw planned. Without the plan, how many calls make the run whole is unknown, so a person decides.
      if (deps.engine.journal.byRun(ctx.originRunId).some((r) => !r.dryRun))
        return {
          status: 'needs_attention',
          reason: `run ${ctx.originRunId} sent calls planned on another instance; check its transactions before re-running it`,
        }
      return { status: 'rerun' }
    },
  }
}
