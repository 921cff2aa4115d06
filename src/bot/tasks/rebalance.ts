// The `rebalance` task: reads positions on chain, plans allocations, and schedules one allocate_<protocol> job per move.
import { z } from 'zod'
import { parseAbi, type Address, type LocalAccount, type PublicClient } from 'viem'
import { planPortfolio } from '../../capital/allocator.ts'
import { planRebalance, readPositions } from '../../capital/rebalance.ts'
import { createOnchainPositionReader, type PositionSource } from '../../capital/position-reader.ts'
import { ValidationError } from '../../errors/validation-error.ts'
import type { Scheduler } from '../../scheduler/index.ts'
import type { TaskDefinition } from '../../scheduler/index.ts'
import type { AddressBook } from '../../../protocols/types.ts'
import { aaveAllocateParams, aavePositionSource, aaveTargetSchema } from './rebalance-aave.ts'

const uint = z.string().regex(/^\d+$/, 'an integer amount in base units')

/** Args: one asset on one chain, spread over ERC-4626 vaults and the chain's Aave V3 market (the rest stays idle). */
export const rebalanceArgsSchema = z
  .strictObject({
    wallet: z.string().min(1),
    chainId: z.number().int().positive(),
    asset: z.string().min(1),
    vaults: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[a-z0-9_]+$/),
          vault: z.string().min(1),
          expectedValueBps: z.number(),
          riskBps: z.number().positive(),
          maxAmount: uint.optional(),
        }),
      )
      .default([]),
    /** The chain's Aave V3 market as a yield target beside the vaults; its position is the aToken balance. */
    aaveV3: aaveTargetSchema.optional(),
    /** Asset units kept idle in the wallet, never allocated. */
    reserve: uint.default('0'),
    minTradeSize: uint.default('0'),
    driftThresholdBps: z.number().min(0).max(10_000).default(500),
  })
  .refine((a) => a.vaults.length > 0 || a.aaveV3 !== undefined, {
    message: 'give at least one target: vaults or aaveV3',
    path: ['vaults'],
  })
  .refine((a) => !a.aaveV3 || !a.vaults.some((v) => v.id === a.aaveV3!.id), {
    message: 'the aaveV3 target needs an id no vault uses',
    path: ['aaveV3', 'id'],
  })

const erc20 = parseAbi(['function balanceOf(address) view returns (uint256)'])

/** What the task needs from the bot. */
export interface RebalanceDeps {
  scheduler: () => Scheduler
  clients: Record<number, PublicClient>
  wallets: Map<string, LocalAccount>
  book: AddressBook
}

/** Builds the catalog entry; it only reads and adds jobs, so a rerun after a crash is safe. */
export function defineRebalanceTask(deps: RebalanceDeps): TaskDefinition {
  return {
    type: 'rebalance',
    description:
      'compare target allocations with on-chain positions and schedule allocate_<protocol> jobs past the thresholds',
    recovery: 'rerun',
    argsSchema: rebalanceArgsSchema,
    async handler(ctx) {
      const parsed = rebalanceArgsSchema.safeParse(ctx.args)
      if (!parsed.success) throw ValidationError.fromZod('rebalance args', parsed.error)
      const a = parsed.data
      const wallet = deps.wallets.get(a.wallet)
      const entry = deps.book[a.chainId]
      const token = entry?.tokens[a.asset]
      const client = deps.clients[a.chainId]
      if (!wallet || !entry || !token || !client) {
        throw new ValidationError('rebalance args', [
          { path: 'wallet/chainId/asset', message: 'unknown wallet, chain or asset in the address book' },
        ])
      }
      const vaultAddr = (v: string) => (entry.vaults?.[v] ?? v) as Address
      const sources: Record<string, PositionSource> = {}
      for (const v of a.vaults) sources[v.id] = { kind: 'erc4626', vault: vaultAddr(v.vault), owner: wallet.address }
      if (a.aaveV3) sources[a.aaveV3.id] = await aavePositionSource(client, entry, token.address, wallet.address)
      const protocols = [...a.vaults, ...(a.aaveV3 ? [a.aaveV3] : [])].map((v) => ({
        id: v.id,
        chainId: a.chainId,
        asset: { symbol: a.asset, decimals: token.decimals },
        expectedValueBps: v.expectedValueBps,
        riskBps: v.riskBps,
        maxAmount: v.maxAmount === undefined ? undefined : BigInt(v.maxAmount),
        enabled: true,
      }))
      const positions = await readPositions(
        createOnchainPositionReader(deps.clients, sources),
        protocols.map((p) => ({ ...p, minAmount: undefined, maxShareBps: undefined })),
      )
      const idle = await client.readContract({
        address: token.address,
        abi: erc20,
        functionName: 'balanceOf',
        args: [wallet.address],
      })
      const total = idle + Object.values(positions).reduce((s, v) => s + v, 0n)
      const investable = total > BigInt(a.reserve) ? total - BigInt(a.reserve) : 0n
      const plan = planPortfolio(protocols, { amount: investable, decimals: token.decimals })
      const moves = planRebalance(
        plan.allocations,
        positions,
        protocols.map((p) => ({ ...p, minAmount: undefined, maxShareBps: undefined })),
        {
          capitalDecimals: token.decimals,
          minTradeSize: BigInt(a.minTradeSize),
          driftThresholdBps: a.driftThresholdBps,
        },
      )
      const scheduler = deps.scheduler()
      const jobs: string[] = []
      for (const m of moves) {
        const v = a.vaults.find((x) => x.id === m.protocol)
        const id = `allocate_${m.protocol}`
        const call = v
          ? {
              adapter: 'erc4626',
              params: { chainId: a.chainId, vault: v.vault, action: m.action, amount: `${m.amount} wei` },
            }
          : { adapter: 'aave-v3', params: aaveAllocateParams(a.aaveV3!, a.chainId, a.asset, m.action, m.amount) }
        scheduler.addJob(
          {
            id,
            taskType: 'protocol_call',
            trigger: { type: 'manual' },
            priority: 'normal',
            recovery: 'reconcile',
            metadata: { chainId: a.chainId, plannedBy: ctx.runId, target: m.target.toString() },
            args: { adapter: call.adapter, wallet: a.wallet, params: call.params },
          },
          { ifExists: 'replace' },
        )
        scheduler.runNow(id)
        jobs.push(id)
      }
      return {
        total: total.toString(),
        idle: idle.toString(),
        positions: Object.fromEntries(Object.entries(positions).map(([k, v]) => [k, v.toString()])),
        targets: plan.allocations.map((x) => ({
          protocol: x.protocol,
          amount: x.amount.toString(),
          priority: x.priority,
        })),
        instructions: moves.map((m) => ({ protocol: m.protocol, action: m.action, amount: m.amount.toString() })),
        jobs,
      }
    },
  }
}
