// Across arrival check: finds the deposit on the origin SpokePool, then its fill on the destination SpokePool.
import { isAddressEqual, pad, type Hex } from 'viem'
import type { ReadContext, VerifyOptions, VerifyOutcome } from '../types.ts'
import { spokePoolAbi } from './abi.ts'
import type { AcrossRoute } from './route.ts'

/** Both chains' heads taken before sending: deposit and fill are searched strictly after them. */
export interface AcrossSnapshot {
  originBlock: bigint
  destBlock: bigint
}

/** What verify needs from the params. */
export interface VerifyParams {
  fromChainId: number
  toChainId: number
  token: string
  amount: bigint
  arrivalTimeoutSeconds: number
}

/** Reads both heads (call BEFORE sending the deposit). */
export async function takeSnapshot(ctx: ReadContext, p: VerifyParams): Promise<AcrossSnapshot> {
  const [originBlock, destBlock] = await Promise.all([
    ctx.client(p.fromChainId).getBlockNumber(),
    ctx.client(p.toChainId).getBlockNumber(),
  ])
  return { originBlock, destBlock }
}

/**
 * Polls (on the context clock) until the destination SpokePool emitted FilledRelay for this wallet's deposit.
 * Reports `ok: false` early once the fill deadline has passed on the destination unfilled (Across then refunds
 * the deposit on the origin chain), or at the timeout. Never suggests re-sending: that could bridge twice.
 */
export async function verifyArrival(
  ctx: ReadContext,
  p: VerifyParams,
  r: AcrossRoute,
  before: AcrossSnapshot,
  opts: VerifyOptions = {},
): Promise<VerifyOutcome> {
  const origin = ctx.client(p.fromChainId)
  const dest = ctx.client(p.toChainId)
  const timeoutMs = opts.timeoutMs ?? p.arrivalTimeoutSeconds * 1000
  const deadline = ctx.clock.now() + timeoutMs
  const pollMs = opts.pollMs ?? 2_000
  let deposit: { depositId: bigint; fillDeadline: number; tx: Hex } | undefined
  for (;;) {
    if (!deposit) {
      const head = await origin.getBlockNumber()
      // Nodes reject a range that starts past their head, so only ask once a new block exists.
      const logs =
        head <= before.originBlock
          ? []
          : await origin.getContractEvents({
              address: r.originPool,
              abi: spokePoolAbi,
              eventName: 'FundsDeposited',
              fromBlock: before.originBlock + 1n,
              toBlock: head,
              args: { destinationChainId: BigInt(p.toChainId), depositor: pad(ctx.wallet) },
            })
      const mine = logs.find(
        (l) =>
          l.args.recipient === pad(r.to).toLowerCase() &&
          l.args.inputAmount === p.amount &&
          l.args.inputToken !== undefined &&
          isAddressEqual(`0x${l.args.inputToken.slice(26)}`, r.inputToken.address),
      )
      if (mine)
        deposit = { depositId: mine.args.depositId!, fillDeadline: mine.args.fillDeadline!, tx: mine.transactionHash }
    }
    if (deposit) {
      const head = await dest.getBlock({ blockTag: 'latest' })
      const fills =
        head.number <= before.destBlock
          ? []
          : await dest.getContractEvents({
              address: r.destPool,
              abi: spokePoolAbi,
              eventName: 'FilledRelay',
              fromBlock: before.destBlock + 1n,
              toBlock: head.number,
              args: { originChainId: BigInt(p.fromChainId), depositId: deposit.depositId },
            })
      const fill = fills[0]
      if (fill) {
        return {
          ok: true,
          evidence: `FilledRelay for deposit ${deposit.depositId} (origin tx ${deposit.tx}) in tx ${fill.transactionHash} on chain ${p.toChainId}, ${fill.args.outputAmount} to ${r.to}`,
        }
      }
      // Read at the same head as the logs: a fill after it is found by the next poll's logs.
      if (head.timestamp > BigInt(deposit.fillDeadline)) {
        return {
          ok: false,
          reason: `deposit ${deposit.depositId} (origin tx ${deposit.tx}) expired unfilled at ${deposit.fillDeadline}; Across refunds it on chain ${p.fromChainId} in a later bundle, do not re-send`,
        }
      }
    }
    if (ctx.clock.now() >= deadline) {
      const what = deposit
        ? `deposit ${deposit.depositId} not filled on chain ${p.toChainId}`
        : `no deposit of ${p.amount} ${p.token} found on chain ${p.fromChainId}`
      return { ok: false, reason: `${what} within ${Math.round(timeoutMs / 1000)} s` }
    }
    await ctx.clock.sleep(pollMs, ctx.signal)
  }
}
