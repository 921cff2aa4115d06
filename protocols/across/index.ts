// Across intent-bridge deposits between chains with SpokePools; the job counts only when `verify` sees the fill.
import { encodeFunctionData, isAddressEqual, zeroAddress } from 'viem'
import { z } from 'zod'
import { approvalCalls, tokenBalance } from '../shared/approval.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { addressSchema, amountSchema, chainIdSchema, tokenSymbolSchema } from '../shared/params.ts'
import { formatAmount } from '../shared/amount.ts'
import { tokenAmountIn } from '../shared/amount-fields.ts'
import { defineAdapter } from '../types.ts'
import { spokePoolAbi } from './abi.ts'
import { ID, resolveAcrossRoute } from './route.ts'
import { takeSnapshot, verifyArrival, type AcrossSnapshot } from './verify.ts'

/**
 * Deposit `amount` of `token` on `fromChainId` for a relayer to pay out on `toChainId`. People give the amount in
 * the token's units ("500" USDC) or as "N wei"; the registry hands this schema base units (see `amounts`).
 */
export const acrossParams = z
  .object({
    fromChainId: chainIdSchema,
    toChainId: chainIdSchema,
    /** "ETH" (sent as value, wrapped by the SpokePool, paid out as ETH) or a symbol in both chains' books. */
    token: tokenSymbolSchema,
    amount: amountSchema,
    /** Recipient on the destination chain, an own wallet; default the sending wallet. */
    to: addressSchema.optional(),
    /** What the relayer keeps: outputAmount = amount * (10000 - relayerFeeBps) / 10000. Too low and no one fills. */
    relayerFeeBps: z.number().int().min(0).max(500, 'must be at most 500 bps (5%)').default(10),
    /** Seconds after the deposit by which a relayer must fill; unfilled deposits are refunded on the origin. */
    fillDeadlineSeconds: z.number().int().min(60).max(86_400).default(3_600),
    /** How long `verify` waits for the fill (Across: typically seconds). */
    arrivalTimeoutSeconds: z.number().int().positive().max(86_400).default(1_800),
  })
  .refine((p) => p.fromChainId !== p.toChainId, { message: 'must differ from fromChainId', path: ['toChainId'] })

export type AcrossParams = z.output<typeof acrossParams>

/** The amount the relayer must deliver for these params (0 means the deposit is too small to bridge). */
export function acrossOutputAmount(p: Pick<AcrossParams, 'amount' | 'relayerFeeBps'>): bigint {
  return (p.amount * BigInt(10_000 - p.relayerFeeBps)) / 10_000n
}

export const acrossAdapter = defineAdapter<AcrossParams, AcrossSnapshot>({
  id: ID,
  kind: 'bridge',
  verifiesArrival: true,
  description:
    'Across intent bridge: depositV3Now on the origin SpokePool; succeeds only when a relayer filled it on the destination',
  params: acrossParams,
  amounts: { amount: (p) => tokenAmountIn(p.fromChainId, p.token) },
  async buildCalls(ctx, p) {
    const r = resolveAcrossRoute(ctx, p)
    const origin = ctx.client(p.fromChainId)
    const read = <T>(
      functionName: 'pausedDeposits' | 'wrappedNativeToken' | 'fillDeadlineBuffer',
      client = origin,
      address = r.originPool,
    ) => client.readContract({ address, abi: spokePoolAbi, functionName }) as Promise<T>
    const [paused, originWrapped, buffer, destWrapped] = await Promise.all([
      read<boolean>('pausedDeposits'),
      read<`0x${string}`>('wrappedNativeToken'),
      read<number>('fillDeadlineBuffer'),
      read<`0x${string}`>('wrappedNativeToken', ctx.client(p.toChainId), r.destPool),
    ])
    if (paused)
      throw new AdapterPreconditionError(
        ID,
        `deposits are paused on the SpokePool of chain ${p.fromChainId}`,
        'retry later or use another bridge',
      )
    if (p.fillDeadlineSeconds > buffer) {
      throw new AdapterPreconditionError(
        ID,
        `fillDeadlineSeconds ${p.fillDeadlineSeconds} exceeds the SpokePool's limit of ${buffer}`,
        `set fillDeadlineSeconds <= ${buffer}`,
      )
    }
    // Fail closed: ETH is only wrapped, and WETH only paid out as ETH, when the book's WETH is the pools' own.
    if (
      r.native &&
      (!isAddressEqual(originWrapped, r.inputToken.address) || !isAddressEqual(destWrapped, r.outputToken.address))
    ) {
      throw new AdapterPreconditionError(
        ID,
        `the book's WETH does not match the SpokePools' wrapped native token (${originWrapped} / ${destWrapped})`,
        'fix contracts.weth in the address book',
      )
    }
    const outputAmount = acrossOutputAmount(p)
    if (outputAmount === 0n)
      throw new AdapterPreconditionError(
        ID,
        `amount ${p.amount} leaves 0 after the ${p.relayerFeeBps} bps relayer fee`,
        'bridge more',
      )
    const symbol = r.native ? 'ETH' : r.inputToken.symbol
    const fmt = (v: bigint) => formatAmount(v, r.inputToken.decimals, symbol)
    const label = `bridge ${fmt(p.amount)} to chain ${p.toChainId} for ${r.to} via Across (receive ${fmt(outputAmount)})`
    const data = encodeFunctionData({
      abi: spokePoolAbi,
      functionName: 'depositV3Now',
      args: [
        ctx.wallet,
        r.to,
        r.inputToken.address,
        r.outputToken.address,
        p.amount,
        outputAmount,
        BigInt(p.toChainId),
        zeroAddress,
        p.fillDeadlineSeconds,
        0,
        '0x',
      ],
    })
    if (r.native) {
      const balance = await origin.getBalance({ address: ctx.wallet })
      if (balance <= p.amount)
        throw new AdapterPreconditionError(ID, `wallet holds ${balance} wei, needs ${p.amount} plus gas`, 'bridge less')
      return [{ chainId: p.fromChainId, to: r.originPool, value: p.amount, data, label }]
    }
    const balance = await tokenBalance(ctx, p.fromChainId, r.inputToken.address, ctx.wallet)
    if (balance < p.amount)
      throw new AdapterPreconditionError(
        ID,
        `wallet holds ${balance} ${p.token}, needs ${p.amount}`,
        'fund the wallet or bridge less',
      )
    const approvals = await approvalCalls(ctx, p.fromChainId, r.inputToken, r.originPool, 'Across SpokePool', p.amount)
    return [...approvals, { chainId: p.fromChainId, to: r.originPool, value: 0n, data, label }]
  },
  snapshot(ctx, p) {
    resolveAcrossRoute(ctx, p)
    return takeSnapshot(ctx, p)
  },
  /** Waits for FilledRelay of this wallet's deposit on the destination (see README: never re-send on failure). */
  verify(ctx, p, before, opts) {
    return verifyArrival(ctx, p, resolveAcrossRoute(ctx, p), before, opts)
  },
})
