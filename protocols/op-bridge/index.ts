// OP-Stack L1->L2 deposits (ETH or ERC-20); the job counts only when `verify` sees the deposit credited on L2.
import { encodeFunctionData, isAddressEqual, zeroAddress, type Address } from 'viem'
import { z } from 'zod'
import { approvalCalls, tokenBalance } from '../shared/approval.ts'
import { AdapterPreconditionError, paramError } from '../shared/errors.ts'
import { addressSchema, amountSchema, chainIdSchema, tokenSymbolSchema } from '../shared/params.ts'
import { NATIVE, requireOwnWallet, resolveChain, resolveContract, resolveToken } from '../shared/resolve.ts'
import { formatAmount } from '../shared/amount.ts'
import { tokenAmountIn } from '../shared/amount-fields.ts'
import { defineAdapter, type ReadContext, type TokenInfo, type VerifyOutcome } from '../types.ts'
import { depositFailedEvent, depositFinalizedEvent, l1BridgeAbi, LEGACY_ERC20_ETH, mintableErc20Abi } from './abi.ts'

const ID = 'op-bridge'

/** Deposit `amount` (base units) of `token` from L1 `fromChainId` to its OP-Stack L2 `toChainId`. */
export const opBridgeParams = z
  .object({
    fromChainId: chainIdSchema,
    toChainId: chainIdSchema,
    token: tokenSymbolSchema,
    amount: amountSchema,
    /** L2 recipient, an own wallet; default the sending wallet. */
    to: addressSchema.optional(),
    /** Gas the L2 execution gets; OP's receive() default is 200000. */
    minGasLimit: z.number().int().min(100_000).max(10_000_000).default(200_000),
    /** How long `verify` waits for the deposit on L2 (OP mainnet: typically 1-3 minutes). */
    arrivalTimeoutSeconds: z.number().int().positive().max(86_400).default(1_800),
  })
  .refine((p) => p.fromChainId !== p.toChainId, { message: 'must differ from fromChainId', path: ['toChainId'] })

export type OpBridgeParams = z.output<typeof opBridgeParams>

/** L2 state taken before sending: the block to search events from and the recipient's balance. */
export interface OpBridgeSnapshot {
  l2Block: bigint
  l2Balance: bigint
}

interface Route {
  l1Bridge: Address
  l2Bridge: Address
  l1Token: TokenInfo | typeof NATIVE
  l2Token: TokenInfo | typeof NATIVE
  to: Address
}

/** Checks the chain pair is an L1 and its L2 in the book and that the token exists on both; no RPC. */
function resolveRoute(ctx: ReadContext, p: OpBridgeParams): Route {
  const l1 = resolveChain(ID, ctx, p.fromChainId, 'fromChainId')
  const l2 = resolveChain(ID, ctx, p.toChainId, 'toChainId')
  if (l2.parentChainId !== p.fromChainId) {
    throw paramError(
      ID,
      'toChainId',
      `chain ${p.toChainId} is not an OP-Stack L2 of chain ${p.fromChainId}`,
      "set parentChainId in the L2's address book or pick the right pair",
    )
  }
  return {
    // An L1 serving several OP-Stack L2s names each bridge after its L2 (built-in book); a single-L2 book may not.
    l1Bridge: resolveContract(
      ID,
      l1,
      l1.contracts[`l1StandardBridge.${p.toChainId}`] ? `l1StandardBridge.${p.toChainId}` : 'l1StandardBridge',
      'fromChainId',
    ),
    l2Bridge: resolveContract(ID, l2, 'l2StandardBridge', 'toChainId'),
    l1Token: resolveToken(ID, l1, p.token, 'token'),
    l2Token: resolveToken(ID, l2, p.token, 'token'),
    to: requireOwnWallet(ID, ctx, p.to ?? ctx.wallet, 'to'),
  }
}

async function l2BalanceOf(ctx: ReadContext, p: OpBridgeParams, r: Route, blockNumber?: bigint): Promise<bigint> {
  return r.l2Token === NATIVE
    ? ctx.client(p.toChainId).getBalance({ address: r.to, blockNumber })
    : tokenBalance(ctx, p.toChainId, r.l2Token.address, r.to, blockNumber)
}

export const opBridgeAdapter = defineAdapter<OpBridgeParams, OpBridgeSnapshot>({
  id: ID,
  kind: 'bridge',
  verifiesArrival: true,
  description:
    'OP-Stack L1->L2 deposit (depositETH / depositETHTo / depositERC20To); succeeds only when credited on L2',
  params: opBridgeParams,
  amounts: { amount: (p) => tokenAmountIn(p.fromChainId, p.token) },
  async buildCalls(ctx, p) {
    const r = resolveRoute(ctx, p)
    const l1 = ctx.client(p.fromChainId)
    const extra = '0x' as const
    if (r.l1Token === NATIVE) {
      const balance = await l1.getBalance({ address: ctx.wallet })
      if (balance <= p.amount)
        throw new AdapterPreconditionError(ID, `wallet holds ${balance} wei, needs ${p.amount} plus gas`, 'bridge less')
      const self = isAddressEqual(r.to, ctx.wallet)
      // depositETH is EOA-only on OP; depositETHTo serves a different own wallet as recipient.
      const data = self
        ? encodeFunctionData({ abi: l1BridgeAbi, functionName: 'depositETH', args: [p.minGasLimit, extra] })
        : encodeFunctionData({ abi: l1BridgeAbi, functionName: 'depositETHTo', args: [r.to, p.minGasLimit, extra] })
      return [
        {
          chainId: p.fromChainId,
          to: r.l1Bridge,
          value: p.amount,
          data,
          label: `bridge ${formatAmount(p.amount, 18, 'ETH')} to chain ${p.toChainId} for ${r.to}`,
        },
      ]
    }
    const l1Token = r.l1Token
    const l2Token = r.l2Token as TokenInfo
    // Fail closed: depositing with an L2 token that does not map back to this L1 token strands the funds.
    const remote = await ctx
      .client(p.toChainId)
      .readContract({ address: l2Token.address, abi: mintableErc20Abi, functionName: 'remoteToken' })
      .catch(() => zeroAddress)
    if (!isAddressEqual(remote, l1Token.address)) {
      throw new AdapterPreconditionError(
        ID,
        `L2 token ${l2Token.address} does not represent L1 ${p.token} ${l1Token.address} (remoteToken ${remote})`,
        'fix the L2 token in the address book',
      )
    }
    const balance = await tokenBalance(ctx, p.fromChainId, l1Token.address, ctx.wallet)
    if (balance < p.amount)
      throw new AdapterPreconditionError(
        ID,
        `wallet holds ${balance} ${p.token}, needs ${p.amount}`,
        'fund the wallet or bridge less',
      )
    const approvals = await approvalCalls(ctx, p.fromChainId, l1Token, r.l1Bridge, 'L1StandardBridge', p.amount)
    return [
      ...approvals,
      {
        chainId: p.fromChainId,
        to: r.l1Bridge,
        value: 0n,
        label: `bridge ${formatAmount(p.amount, l1Token.decimals, l1Token.symbol)} to chain ${p.toChainId} for ${r.to}`,
        data: encodeFunctionData({
          abi: l1BridgeAbi,
          functionName: 'depositERC20To',
          args: [l1Token.address, l2Token.address, r.to, p.amount, p.minGasLimit, extra],
        }),
      },
    ]
  },
  async snapshot(ctx, p) {
    const r = resolveRoute(ctx, p)
    const [l2Block, l2Balance] = await Promise.all([ctx.client(p.toChainId).getBlockNumber(), l2BalanceOf(ctx, p, r)])
    return { l2Block, l2Balance }
  },
  /** Waits (on the context clock) for DepositFinalized to `to` with this amount, or the balance rising by it. */
  async verify(ctx, p, before, opts = {}): Promise<VerifyOutcome> {
    const r = resolveRoute(ctx, p)
    const l2 = ctx.client(p.toChainId)
    const deadline = ctx.clock.now() + (opts.timeoutMs ?? p.arrivalTimeoutSeconds * 1000)
    const pollMs = opts.pollMs ?? 2_000
    const l1TokenAddr = r.l1Token === NATIVE ? zeroAddress : r.l1Token.address
    const l2TokenAddr = r.l2Token === NATIVE ? LEGACY_ERC20_ETH : r.l2Token.address
    for (;;) {
      const head = await l2.getBlockNumber()
      // Nodes reject a range that starts past their head, so only ask once a new L2 block exists.
      const range = {
        address: r.l2Bridge,
        fromBlock: before.l2Block + 1n,
        toBlock: head,
        args: { l1Token: l1TokenAddr, l2Token: l2TokenAddr, from: ctx.wallet },
      }
      const [done, failed] =
        head <= before.l2Block
          ? [[], []]
          : await Promise.all([
              l2.getLogs({ ...range, event: depositFinalizedEvent }),
              l2.getLogs({ ...range, event: depositFailedEvent }),
            ])
      const mine = (l: { args: { to?: Address; amount?: bigint } }) =>
        l.args.to !== undefined && isAddressEqual(l.args.to, r.to) && l.args.amount === p.amount
      const hit = done.find(mine)
      if (hit)
        return { ok: true, evidence: `DepositFinalized in L2 tx ${hit.transactionHash} (block ${hit.blockNumber})` }
      const bad = failed.find(mine)
      if (bad)
        return {
          ok: false,
          reason: `the L2 bridge refused the deposit (DepositFailed in L2 tx ${bad.transactionHash}); funds stay on L1, check the token pair`,
        }
      // Read at the same head as the logs: a deposit credited after it is found by the next poll's logs.
      const balance = await l2BalanceOf(ctx, p, r, head)
      if (balance - before.l2Balance >= p.amount)
        return { ok: true, evidence: `L2 balance of ${r.to} rose by ${balance - before.l2Balance}` }
      if (ctx.clock.now() >= deadline) {
        return {
          ok: false,
          reason: `deposit of ${p.amount} ${p.token} to ${r.to} not seen on chain ${p.toChainId} within ${Math.round((opts.timeoutMs ?? p.arrivalTimeoutSeconds * 1000) / 1000)} s`,
        }
      }
      await ctx.clock.sleep(pollMs, ctx.signal)
    }
  },
})
