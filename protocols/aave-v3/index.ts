// Aave V3 supply / withdraw / borrow / repay on a Pool, with a health-factor floor checked before anything is signed.
import { encodeFunctionData, formatUnits, isAddressEqual, maxUint256, type Address } from 'viem'
import { z } from 'zod'
import { approvalCalls, tokenBalance } from '../shared/approval.ts'
import { AdapterPreconditionError, paramError } from '../shared/errors.ts'
import { addressSchema, amountOrMaxSchema, chainIdSchema, tokenSymbolSchema } from '../shared/params.ts'
import { NATIVE, requireOwnWallet, resolveChain, resolveContract, resolveToken } from '../shared/resolve.ts'
import { formatAmount } from '../shared/amount.ts'
import { tokenAmountIn } from '../shared/amount-fields.ts'
import { defineAdapter, type Call, type ReadContext, type TokenInfo } from '../types.ts'
import { aaveV3PoolAbi, VARIABLE_RATE_MODE } from './abi.ts'
import { formatHealthFactor, minHealthFactorSchema, projectHealthFactor, valueInBase } from './health.ts'
import { readReserve, type ReserveView } from './market.ts'

const ID = 'aave-v3'

/**
 * supply / borrow: `amount` of `asset`; withdraw: `amount` or "max" (the whole aToken balance); repay: `amount`
 * or "max" (the whole variable debt). Borrows are variable-rate. `minHealthFactor` (default 1.5) is the lowest
 * health factor a borrow or a collateral withdrawal may leave.
 */
export const aaveV3Params = z
  .object({
    chainId: chainIdSchema,
    action: z.enum(['supply', 'withdraw', 'borrow', 'repay']),
    asset: tokenSymbolSchema,
    amount: amountOrMaxSchema,
    /** supply: who gets the aTokens; withdraw: who gets the asset; repay: whose debt. An own wallet; default the wallet. */
    to: addressSchema.optional(),
    minHealthFactor: minHealthFactorSchema.prefault('1.5'),
  })
  .refine((p) => p.amount !== 'max' || p.action === 'withdraw' || p.action === 'repay', {
    message: '"max" is only allowed for withdraw and repay',
    path: ['amount'],
  })
  .refine((p) => p.to === undefined || p.action !== 'borrow', {
    message: 'a borrow always goes to, and is owed by, the sending wallet: leave "to" out',
    path: ['to'],
  })

export type AaveV3Params = z.output<typeof aaveV3Params>

/** Repaying "max" approves the debt plus 0.1%: interest accrues between this read and the block that repays. */
const REPAY_BUFFER_BPS = 10n

export const aaveV3Adapter = defineAdapter<AaveV3Params>({
  id: ID,
  kind: 'lend',
  description:
    'Aave v3 Pool supply / withdraw / borrow / repay (ERC-20 assets), refusing actions below a health-factor floor',
  params: aaveV3Params,
  amounts: { amount: (p) => tokenAmountIn(p.chainId, p.asset) },
  async buildCalls(ctx, p) {
    // Address book first: wrong chain, no Pool on the chain, unknown asset or a stranger fail without any RPC.
    const book = resolveChain(ID, ctx, p.chainId)
    const pool = resolveContract(ID, book, 'aaveV3Pool')
    const token = resolveToken(ID, book, p.asset, 'asset')
    if (token === NATIVE)
      throw paramError(ID, 'asset', 'the Pool takes ERC-20 assets only', 'wrap ETH with the weth adapter and use WETH')
    const to = requireOwnWallet(ID, ctx, p.to ?? ctx.wallet, 'to')
    // Fail closed on a mistyped Pool address: calling an address without code "succeeds" and does nothing.
    const code = await ctx.client(p.chainId).getCode({ address: pool })
    if (!code || code === '0x')
      throw new AdapterPreconditionError(
        ID,
        `no contract at aaveV3Pool ${pool} on chain ${p.chainId}`,
        'fix contracts.aaveV3Pool in the address book',
      )
    const r = await readReserve(ctx, p.chainId, pool, token, p.action === 'repay' ? to : ctx.wallet)
    if (!r.config.isActive || r.config.isPaused)
      throw new AdapterPreconditionError(
        ID,
        `the ${token.symbol} reserve is ${r.config.isPaused ? 'paused' : 'not active'}`,
        'nothing was sent; try later or another asset',
      )
    const build = { supply, withdraw, borrow, repay }[p.action]
    return build(ctx, p, { pool, token, to, r })
  },
})

interface Resolved {
  pool: Address
  token: TokenInfo
  to: Address
  r: ReserveView
}

const poolCall = (p: AaveV3Params, pool: Address, label: string, data: `0x${string}`): Call => ({
  chainId: p.chainId,
  to: pool,
  value: 0n,
  label,
  data,
})

/** Refuses when the projected health factor is below the floor; returns the label fragment otherwise. */
function requireHealth(p: AaveV3Params, r: ReserveView, projected: bigint, what: string): string {
  const now = formatHealthFactor(r.account.healthFactor)
  const after = formatHealthFactor(projected)
  if (projected < p.minHealthFactor) {
    throw new AdapterPreconditionError(
      ID,
      `${what} would take the health factor from ${now} to ${after}, below the limit ${formatHealthFactor(p.minHealthFactor)}`,
      'borrow or withdraw less, supply more collateral, or lower minHealthFactor',
      { healthFactor: now, projected: after, limit: formatHealthFactor(p.minHealthFactor) },
    )
  }
  return `health factor ${now} -> ${after}, limit ${formatHealthFactor(p.minHealthFactor)}`
}

async function supply(ctx: ReadContext, p: AaveV3Params, { pool, token, to, r }: Resolved): Promise<Call[]> {
  const amount = p.amount as bigint
  if (r.config.isFrozen)
    throw new AdapterPreconditionError(
      ID,
      `the ${token.symbol} reserve is frozen: it takes no new supply`,
      'pick another asset',
    )
  const balance = await tokenBalance(ctx, p.chainId, token.address, ctx.wallet)
  if (balance < amount)
    throw new AdapterPreconditionError(
      ID,
      `wallet holds ${balance} ${token.symbol}, needs ${amount}`,
      'fund the wallet or supply less',
    )
  const approvals = await approvalCalls(ctx, p.chainId, token, pool, 'Aave v3 Pool', amount)
  return [
    ...approvals,
    poolCall(
      p,
      pool,
      `supply ${formatAmount(amount, token.decimals, token.symbol)} to Aave v3`,
      encodeFunctionData({ abi: aaveV3PoolAbi, functionName: 'supply', args: [token.address, amount, to, 0] }),
    ),
  ]
}

async function withdraw(_ctx: ReadContext, p: AaveV3Params, { pool, token, to, r }: Resolved): Promise<Call[]> {
  const supplied = r.position.supplied
  if (supplied === 0n)
    throw new AdapterPreconditionError(ID, `nothing supplied: the wallet holds no a${token.symbol}`, 'supply first')
  const amount = p.amount === 'max' ? supplied : p.amount
  if (amount > supplied)
    throw new AdapterPreconditionError(
      ID,
      `can withdraw at most ${supplied} ${token.symbol}, asked ${amount}`,
      'withdraw less or use "max"',
    )
  let health = ''
  if (r.account.totalDebtBase > 0n && r.position.usedAsCollateral && r.config.liquidationThreshold > 0n) {
    const projected = projectHealthFactor(r.account, {
      collateralRemovedBase: valueInBase(amount, r.price, token.decimals),
      collateralThresholdBps: r.config.liquidationThreshold,
    })
    health = `, ${requireHealth(p, r, projected, `withdrawing ${amount} ${token.symbol}`)}`
  }
  // type(uint256).max is the Pool's own "withdraw everything", which includes interest accrued until the block.
  const arg = p.amount === 'max' ? maxUint256 : amount
  return [
    poolCall(
      p,
      pool,
      `withdraw ${p.amount === 'max' ? `all ${token.symbol}` : formatAmount(amount, token.decimals, token.symbol)} from Aave v3${health}`,
      encodeFunctionData({ abi: aaveV3PoolAbi, functionName: 'withdraw', args: [token.address, arg, to] }),
    ),
  ]
}

async function borrow(ctx: ReadContext, p: AaveV3Params, { pool, token, r }: Resolved): Promise<Call[]> {
  const amount = p.amount as bigint
  if (!r.config.borrowingEnabled || r.config.isFrozen)
    throw new AdapterPreconditionError(ID, `borrowing ${token.symbol} is disabled in this market`, 'pick another asset')
  const liquidity = await tokenBalance(ctx, p.chainId, token.address, r.aToken)
  if (liquidity < amount)
    throw new AdapterPreconditionError(
      ID,
      `the ${token.symbol} reserve has ${liquidity} available, asked ${amount}`,
      'borrow less',
    )
  const debtAdded = valueInBase(amount, r.price, token.decimals)
  if (r.account.totalCollateralBase === 0n)
    throw new AdapterPreconditionError(ID, 'the wallet has no collateral in this market', 'supply collateral first')
  const health = requireHealth(
    p,
    r,
    projectHealthFactor(r.account, { debtAddedBase: debtAdded }),
    `borrowing ${amount} ${token.symbol}`,
  )
  // A low floor (near 1.0) can allow more than the collateral's LTV lets the Pool lend: refuse that here too.
  if (debtAdded > r.availableBorrowsBase) {
    throw new AdapterPreconditionError(
      ID,
      `borrowing ${amount} ${token.symbol} exceeds what the collateral's loan-to-value allows (${r.availableBorrowsBase} base units left)`,
      'borrow less or supply more collateral',
    )
  }
  return [
    poolCall(
      p,
      pool,
      `borrow ${formatAmount(amount, token.decimals, token.symbol)} from Aave v3 (variable rate, ${health})`,
      encodeFunctionData({
        abi: aaveV3PoolAbi,
        functionName: 'borrow',
        args: [token.address, amount, VARIABLE_RATE_MODE, 0, ctx.wallet],
      }),
    ),
  ]
}

async function repay(ctx: ReadContext, p: AaveV3Params, { pool, token, to, r }: Resolved): Promise<Call[]> {
  const debt = r.position.variableDebt
  const whose = isAddressEqual(to, ctx.wallet) ? 'the wallet' : to
  if (debt === 0n)
    throw new AdapterPreconditionError(ID, `${whose} owes no variable-rate ${token.symbol}`, 'nothing to repay')
  // An explicit amount above the debt is cut to the debt by the Pool; approving more than that is pointless.
  const ceiling = debt + (debt * REPAY_BUFFER_BPS) / 10_000n + 1n
  const amount = p.amount === 'max' || p.amount > ceiling ? ceiling : p.amount
  const balance = await tokenBalance(ctx, p.chainId, token.address, ctx.wallet)
  const needs = amount < debt ? amount : debt
  if (balance < needs)
    throw new AdapterPreconditionError(
      ID,
      `wallet holds ${balance} ${token.symbol}, repaying needs ${needs}`,
      'fund the wallet or repay less',
    )
  const approvals = await approvalCalls(ctx, p.chainId, token, pool, 'Aave v3 Pool', amount)
  const units = (v: bigint) => formatUnits(v, token.decimals)
  return [
    ...approvals,
    poolCall(
      p,
      pool,
      `repay ${amount === ceiling ? `all (${units(debt)} + accrued)` : units(amount)} ${token.symbol} debt of ${whose} on Aave v3`,
      encodeFunctionData({
        abi: aaveV3PoolAbi,
        functionName: 'repay',
        args: [token.address, amount, VARIABLE_RATE_MODE, to],
      }),
    ),
  ]
}

export { aaveATokenOf } from './market.ts'
