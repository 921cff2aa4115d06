// Pure spend checks before signing: fee and value caps, daily spend, allowlists, exact approvals, balance.
import { decodeFunctionData, isAddress, maxUint256, parseAbi, type Address, type Hex } from 'viem'
import { PolicyViolationError, type PolicyErrorCode } from './errors.ts'

/** Caps and allowlists for one chain (amounts in wei / token base units). */
export interface SpendPolicy {
  chainId: number
  maxFeePerGas: bigint
  maxValuePerTx: bigint
  /** Per wallet per day, native: value + worst-case gas (gasLimit x maxFeePerGas). */
  dailyNativeCap: bigint
  /** Per wallet per day, by token address (any case). A token without a cap cannot be spent (fail closed). */
  dailyTokenCaps: Readonly<Record<string, bigint>>
  /** Contracts the bot may call on this chain (the `to` of any call with data or value). */
  contracts: readonly Address[]
  /** Addresses the bot may approve as ERC-20 spenders on this chain (routers, pools, bridges). */
  spenders: readonly Address[]
  /** The operator's own wallets: plain native transfers to them are allowed (self-cancel, top-ups). */
  ownWallets?: readonly Address[]
}

/** An ERC-20 amount a transaction moves (or allows to be moved) out of the wallet. */
export interface TokenSpend {
  token: Address
  amount: bigint
}

/** The transaction as it will be signed. */
export interface ProposedTx {
  chainId: number
  from: Address
  /** Undefined/null means contract creation, which is always refused. */
  to: Address | null | undefined
  value: bigint
  data?: Hex
  gasLimit: bigint
  maxFeePerGas: bigint
  /**
   * ERC-20 amounts this transaction spends, declared by the adapter (e.g. a swap's input). An approval must be
   * covered by a declared spend of the same token; direct `transfer`/`transferFrom` calldata is decoded and
   * counted even when not declared.
   */
  tokenSpends?: readonly TokenSpend[]
}

/** What the caller knows about the wallet now. Record transfers/swaps as spent, not approvals. */
export interface SpendState {
  /** Native balance of `from`, in wei. */
  balance: bigint
  spentToday: { native: bigint; tokens: Readonly<Record<string, bigint>> }
}

/** A decoded ERC-20 allowance change. */
export interface DecodedApproval {
  fn: 'approve' | 'increaseAllowance'
  spender: Address
  amount: bigint
}

const ERC20 = parseAbi([
  'function approve(address spender, uint256 amount) returns (bool)',
  'function increaseAllowance(address spender, uint256 addedValue) returns (bool)',
  'function transfer(address to, uint256 amount) returns (bool)',
  'function transferFrom(address from, address to, uint256 amount) returns (bool)',
])
/** Anything at or above 2^255 is treated as "unlimited" (common sentinels: maxUint256, 2^255, maxUint256 - n). */
const UNLIMITED_FLOOR = 2n ** 255n

const low = (a: string) => a.toLowerCase()
/** Lowercased lookup sets per policy list, built once: every send checks its target against them. */
const lookups = new WeakMap<readonly string[], Set<string>>()
const has = (list: readonly string[] | undefined, a: string) => {
  if (!list) return false
  let set = lookups.get(list)
  if (!set) lookups.set(list, (set = new Set(list.map(low))))
  return set.has(low(a))
}

function refuse(
  code: PolicyErrorCode,
  message: string,
  tx: ProposedTx,
  details: Record<string, unknown> = {},
  hint?: string,
): never {
  throw new PolicyViolationError(code, message, {
    chainId: tx.chainId,
    details: { chainId: tx.chainId, from: tx.from, to: tx.to, ...details },
    hint,
  })
}

/** Worst-case native cost of a transaction: value + gasLimit x maxFeePerGas. */
export function worstCaseCost(tx: Pick<ProposedTx, 'value' | 'gasLimit' | 'maxFeePerGas'>): bigint {
  return tx.value + tx.gasLimit * tx.maxFeePerGas
}

/** Decodes `approve`/`increaseAllowance` calldata; undefined for anything else. */
export function decodeApproval(data: Hex | undefined): DecodedApproval | undefined {
  const d = decodeErc20(data)
  if (d?.functionName === 'approve') return { fn: 'approve', spender: d.args[0], amount: d.args[1] }
  if (d?.functionName === 'increaseAllowance') return { fn: 'increaseAllowance', spender: d.args[0], amount: d.args[1] }
  return undefined
}

function decodeErc20(data: Hex | undefined) {
  if (!data || data.length < 10) return undefined
  try {
    return decodeFunctionData({ abi: ERC20, data })
  } catch {
    return undefined
  }
}

/**
 * Token spends of a transaction: the declared ones, plus what `transfer`/`transferFrom` (from this wallet)
 * calldata moves, taking the larger amount when both name the same token.
 */
export function effectiveTokenSpends(tx: ProposedTx): TokenSpend[] {
  const out = new Map<string, TokenSpend>()
  const add = (s: TokenSpend) => {
    const prev = out.get(low(s.token))
    if (!prev || s.amount > prev.amount) out.set(low(s.token), s)
  }
  for (const s of tx.tokenSpends ?? []) add(s)
  const d = decodeErc20(tx.data)
  if (tx.to && d?.functionName === 'transfer') add({ token: tx.to, amount: d.args[1] })
  if (tx.to && d?.functionName === 'transferFrom' && low(d.args[0]) === low(tx.from))
    add({ token: tx.to, amount: d.args[2] })
  return [...out.values()]
}

/** Refuses a maxFeePerGas above the chain's cap. */
export function checkMaxFee(policy: SpendPolicy, tx: ProposedTx): void {
  if (tx.maxFeePerGas > policy.maxFeePerGas) {
    refuse(
      'POLICY_MAX_FEE',
      `maxFeePerGas ${tx.maxFeePerGas} wei exceeds the cap maxFeePerGas=${policy.maxFeePerGas} wei on chain ${tx.chainId}`,
      tx,
      { maxFeePerGas: String(tx.maxFeePerGas), cap: String(policy.maxFeePerGas) },
      'wait for lower fees or raise the cap in the config',
    )
  }
}

/** Refuses a native value above the per-transaction cap. */
export function checkMaxValue(policy: SpendPolicy, tx: ProposedTx): void {
  if (tx.value > policy.maxValuePerTx) {
    refuse(
      'POLICY_MAX_VALUE',
      `value ${tx.value} wei exceeds the cap maxValuePerTx=${policy.maxValuePerTx} wei on chain ${tx.chainId}`,
      tx,
      { value: String(tx.value), cap: String(policy.maxValuePerTx) },
      'split the amount or raise maxValuePerTx',
    )
  }
}

/**
 * Refuses contract creation and any `to` outside the chain's allowlist, except plain (no data) transfers to the
 * sender itself or the operator's own wallets.
 */
export function checkAllowlist(policy: SpendPolicy, tx: ProposedTx): void {
  if (!tx.to) refuse('POLICY_CONTRACT_CREATION', `contract creation from ${tx.from} is not allowed`, tx)
  if (has(policy.contracts, tx.to)) return
  const plain = !tx.data || tx.data === '0x'
  if (plain && (low(tx.to) === low(tx.from) || has(policy.ownWallets, tx.to))) return
  refuse(
    'POLICY_NOT_ALLOWLISTED',
    `${tx.to} is not on the contract allowlist of chain ${tx.chainId}`,
    tx,
    {},
    'add the address to the chain allowlist if it is meant to be called',
  )
}

/**
 * Exact-amount approvals only: the spender must be allowlisted, the amount must not be "unlimited" (>= 2^255)
 * and must not exceed the declared spend of that token in this transaction. Approving 0 (revoking) is allowed.
 */
export function checkApproval(policy: SpendPolicy, tx: ProposedTx): void {
  const a = decodeApproval(tx.data)
  if (!a || !tx.to || (a.fn === 'approve' && a.amount === 0n)) return
  if (!has(policy.spenders, a.spender)) {
    refuse(
      'POLICY_SPENDER_NOT_ALLOWLISTED',
      `${a.fn} of token ${tx.to} to spender ${a.spender}, which is not on the spender allowlist of chain ${tx.chainId}`,
      tx,
      { spender: a.spender },
      'add the spender to the allowlist if it is a trusted router',
    )
  }
  if (a.amount >= UNLIMITED_FLOOR || a.amount === maxUint256) {
    refuse(
      'POLICY_UNLIMITED_APPROVAL',
      `unlimited ${a.fn} (${a.amount}) of token ${tx.to} to ${a.spender} is refused: approvals must be exact`,
      tx,
      { spender: a.spender, amount: String(a.amount) },
      'approve exactly the amount about to be spent',
    )
  }
  const declared = (tx.tokenSpends ?? []).find((s) => low(s.token) === low(tx.to!))?.amount
  if (declared === undefined || a.amount > declared) {
    refuse(
      'POLICY_APPROVAL_EXCEEDS_SPEND',
      `${a.fn} of ${a.amount} of token ${tx.to} exceeds the declared spend ${declared ?? 0n}`,
      tx,
      { spender: a.spender, amount: String(a.amount), declared: String(declared ?? 0n) },
      'approve exactly the declared spend amount',
    )
  }
}

/** Refuses when today's native spend plus this transaction's worst case would pass the daily cap. */
export function checkDailyNative(policy: SpendPolicy, tx: ProposedTx, state: SpendState): void {
  const total = state.spentToday.native + worstCaseCost(tx)
  if (total > policy.dailyNativeCap) {
    refuse(
      'POLICY_DAILY_NATIVE',
      `daily native spend would reach ${total} wei (spent ${state.spentToday.native} + this tx up to ${worstCaseCost(tx)}), above the cap dailyNativeCap=${policy.dailyNativeCap} wei`,
      tx,
      { spent: String(state.spentToday.native), tx: String(worstCaseCost(tx)), cap: String(policy.dailyNativeCap) },
      'wait for tomorrow or raise dailyNativeCap',
    )
  }
}

/** Refuses token spends of uncapped tokens, or beyond a token's daily cap. */
export function checkDailyTokens(policy: SpendPolicy, tx: ProposedTx, state: SpendState): void {
  const caps = new Map(Object.entries(policy.dailyTokenCaps).map(([k, v]) => [low(k), v]))
  const spent = new Map(Object.entries(state.spentToday.tokens).map(([k, v]) => [low(k), v]))
  for (const s of effectiveTokenSpends(tx)) {
    const cap = caps.get(low(s.token))
    if (cap === undefined) {
      refuse(
        'POLICY_TOKEN_UNCAPPED',
        `token ${s.token} has no daily cap on chain ${tx.chainId}; spending it is refused`,
        tx,
        { token: s.token, amount: String(s.amount) },
        'add a dailyTokenCaps entry for this token',
      )
    }
    const before = spent.get(low(s.token)) ?? 0n
    if (before + s.amount > cap) {
      refuse(
        'POLICY_DAILY_TOKEN',
        `daily spend of token ${s.token} would reach ${before + s.amount} (spent ${before} + ${s.amount}), above its cap ${cap}`,
        tx,
        { token: s.token, spent: String(before), amount: String(s.amount), cap: String(cap) },
        'wait for tomorrow or raise the token cap',
      )
    }
  }
}

/** Refuses when the balance cannot cover value + gasLimit x maxFeePerGas (checked before a nonce is taken). */
export function checkBalance(tx: ProposedTx, state: SpendState): void {
  const need = worstCaseCost(tx)
  if (state.balance < need) {
    refuse(
      'POLICY_BALANCE',
      `balance ${state.balance} wei of ${tx.from} is below value + gasLimit x maxFeePerGas = ${need} wei`,
      tx,
      { balance: String(state.balance), need: String(need) },
      'fund the wallet or lower the value',
    )
  }
}

/**
 * Runs every check in a fixed order and throws the first PolicyViolationError (never retryable).
 * Pure: the caller supplies the balance and today's totals, so it can be used for dry runs too.
 */
export function checkSpendPolicy(policy: SpendPolicy, tx: ProposedTx, state: SpendState): void {
  if (tx.chainId !== policy.chainId) {
    refuse(
      'POLICY_BAD_INPUT',
      `transaction for chain ${tx.chainId} checked against the policy of chain ${policy.chainId}`,
      tx,
    )
  }
  if (!isAddress(tx.from, { strict: false }) || (tx.to && !isAddress(tx.to, { strict: false }))) {
    refuse('POLICY_BAD_INPUT', 'from/to is not a valid address', tx)
  }
  if (tx.value < 0n || tx.gasLimit <= 0n || tx.maxFeePerGas <= 0n) {
    refuse('POLICY_BAD_INPUT', 'value must be >= 0 and gasLimit, maxFeePerGas > 0', tx)
  }
  checkMaxFee(policy, tx)
  checkMaxValue(policy, tx)
  checkAllowlist(policy, tx)
  checkApproval(policy, tx)
  checkDailyNative(policy, tx, state)
  checkDailyTokens(policy, tx, state)
  checkBalance(tx, state)
}
