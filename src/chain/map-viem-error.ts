// The ONE place where viem (and raw JSON-RPC) errors become the project's typed chain errors.
import { BaseError, decodeErrorResult, type Abi, type Hex } from 'viem'
import { redactSecrets } from '../logging/redact.ts'
import {
  AlreadyKnownError,
  ChainError,
  FeeError,
  InsufficientFundsError,
  NonceError,
  RevertError,
  RpcTransportError,
  UnknownChainError,
  type ChainErrorOptions,
} from './errors.ts'

/** Where the failing call happened; a broadcast that fails without a node verdict has an unknown outcome. */
export interface MapViemErrorContext {
  /** True for `eth_sendRawTransaction`: transport failures then mean "maybe sent" (`unknown: true`). */
  broadcast?: boolean
  chainId?: number
  /** Extra ABI (custom errors) used to decode revert data. */
  abi?: Abi
}

// Node messages (geth, anvil/reth, erigon, nethermind, besu) by verdict; checked in this order.
const ALREADY_KNOWN =
  /already known|transaction already imported|known transaction|already in (the )?(tx)?pool|alreadyknown/i
const REPLACEMENT =
  /replacement transaction underpriced|replacement fee too low|replacement.*underpriced|could not replace existing tx/i
const NONCE_LOW = /nonce too low|noncetoolow|old nonce|nonce.*already (been )?used|oldnonce/i
const NONCE_HIGH = /nonce too high|noncetoohigh|nonce gap/i
const FUNDS = /insufficient funds|exceeds transaction sender account balance|outoffunds|insufficient balance/i
const FEE_CAP_LOW =
  /max fee per gas less than block base fee|fee cap less than block base fee|feecaptoolow|transaction is outdated|gas price (is )?(too low|less than)|underpriced/i
const FEE_INVALID =
  /max priority fee per gas higher than max fee per gas|tip higher than fee cap|fee cap higher than 2\^256|max fee per gas higher than 2\^256/i
const TX_INVALID =
  /intrinsic gas too (low|high)|exceeds block gas limit|gas limit reached|tx fee .*exceeds the configured cap|oversized data|invalid sender|transaction type not (supported|valid)|invalid chain ?id|chain ?id mismatch|gas too low/i
const REVERT = /execution reverted|reverted|revert|vm exception/i
const RATE_LIMIT = /rate limit|too many requests|exceeded .*(quota|limit)|request limit/i
const TIMEOUT = /timed? ?out|took too long/i

/**
 * Translates any error thrown by viem (or a raw RPC call) into a ChainError with `retryable` and `unknown`
 * set correctly. Returns the input unchanged when it already is a ChainError. The result never carries the
 * original error object (whose message and fields hold RPC URLs and request bodies): its `cause` is a
 * secret-scrubbed copy.
 */
export function mapViemError(err: unknown, context: MapViemErrorContext = {}): ChainError {
  if (err instanceof ChainError) return err
  const chain = errorChain(err)
  const text = chain.map(describe).join(' | ')
  const status = findStatus(chain)
  const rpcCode = findRpcCode(chain)
  const names = new Set(chain.map((e) => (e instanceof Error ? e.name : '')))
  const broadcast = context.broadcast ?? false
  const base: ChainErrorOptions = { cause: sanitizeCause(err), chainId: context.chainId }
  const short = shortText(chain)

  // Node verdicts first: the node saw the request and judged it, so the outcome is known.
  if (ALREADY_KNOWN.test(text)) {
    return new AlreadyKnownError(`the node already has this transaction: ${short}`, {
      ...base,
      hint: 'treat it as sent and track it by hash',
    })
  }
  if (REPLACEMENT.test(text)) {
    return new FeeError('REPLACEMENT_UNDERPRICED', `replacement transaction underpriced: ${short}`, {
      ...base,
      retryable: false,
      hint: 'raise both maxFeePerGas and maxPriorityFeePerGas by at least 12.5%',
    })
  }
  if (names.has('NonceTooLowError') || NONCE_LOW.test(text)) {
    return new NonceError('NONCE_TOO_LOW', `nonce too low: ${short}`, {
      ...base,
      hint: 're-sync the nonce lane from the chain and reconcile open intents before signing again',
    })
  }
  if (names.has('NonceTooHighError') || NONCE_HIGH.test(text)) {
    return new NonceError('NONCE_TOO_HIGH', `nonce too high: ${short}`, {
      ...base,
      hint: 're-sync the nonce lane from the chain: a lower nonce is missing',
    })
  }
  if (names.has('InsufficientFundsError') || FUNDS.test(text)) {
    return new InsufficientFundsError(`insufficient funds for value + gas: ${short}`, {
      ...base,
      hint: 'fund the wallet or lower the value; repeating will not help',
    })
  }
  if (names.has('TipAboveFeeCapError') || names.has('FeeCapTooHighError') || FEE_INVALID.test(text)) {
    return new FeeError('FEE_INVALID', `invalid fee fields: ${short}`, {
      ...base,
      retryable: false,
      hint: 'maxPriorityFeePerGas must not exceed maxFeePerGas',
    })
  }
  if (names.has('FeeCapTooLowError') || FEE_CAP_LOW.test(text)) {
    return new FeeError('FEE_CAP_TOO_LOW', `fee cap below the block base fee: ${short}`, {
      ...base,
      retryable: true,
      hint: 'wait for the base fee to fall or re-estimate fees (within the cap)',
    })
  }
  if (names.has('IntrinsicGasTooLowError') || names.has('IntrinsicGasTooHighError') || TX_INVALID.test(text)) {
    return new ChainError('TX_INVALID', `the node rejected the transaction as invalid: ${short}`, {
      ...base,
      retryable: false,
      hint: 'fix the gas limit, type or chain id of the transaction; the same bytes will never be accepted',
    })
  }
  const revert = findRevert(chain, context.abi)
  if (
    revert ||
    names.has('ExecutionRevertedError') ||
    names.has('ContractFunctionRevertedError') ||
    rpcCode === 3 ||
    (rpcCode !== undefined && REVERT.test(text) && !isTransport(names, status))
  ) {
    const reason = revert?.reason
    const what = reason
      ? `: ${redactSecrets(reason)}`
      : revert?.data && revert.data.length >= 10
        ? ` (undecoded error ${revert.data.slice(0, 10)}: pass the contract ABI to decode it)`
        : ' (no reason given)'
    return new RevertError(`execution reverted${what}`, {
      ...base,
      reason,
      data: revert?.data,
      hint: 'the call fails on chain as built; repeating will not help',
    })
  }

  // Transport failures: we never saw a verdict. For a broadcast the transaction may have gone out.
  const unknown = broadcast
  const sent = broadcast ? '; the transaction may have been sent: reconcile by hash before anything else' : ''
  if (status === 429 || rpcCode === -32005 || names.has('LimitExceededRpcError') || RATE_LIMIT.test(text)) {
    return new RpcTransportError('RPC_RATE_LIMITED', `RPC rate limit hit (HTTP ${status ?? 429})${sent}`, {
      ...base,
      retryable: true,
      unknown,
      status,
      hint: 'back off and retry, or add another RPC URL',
    })
  }
  if (names.has('TimeoutError') || TIMEOUT.test(text)) {
    return new RpcTransportError('RPC_TIMEOUT', `RPC request timed out${sent}`, {
      ...base,
      retryable: true,
      unknown,
      hint: 'retry; check the RPC endpoint health',
    })
  }
  if (status !== undefined && (status >= 500 || status === 408)) {
    return new RpcTransportError('RPC_HTTP', `RPC answered HTTP ${status}${sent}`, {
      ...base,
      retryable: true,
      unknown,
      status,
      hint: 'retry; the provider is failing',
    })
  }
  if (status !== undefined && status >= 400) {
    return new RpcTransportError('RPC_HTTP', `RPC answered HTTP ${status}${sent}`, {
      ...base,
      retryable: false,
      unknown,
      status,
      hint: 'check the RPC URL and its API key (unauthorized or bad request)',
    })
  }
  if (
    names.has('HttpRequestError') ||
    names.has('SocketClosedError') ||
    names.has('WebSocketRequestError') ||
    /fetch failed|econnrefused|econnreset|socket hang up|other side closed|network/i.test(text)
  ) {
    return new RpcTransportError('RPC_UNAVAILABLE', `RPC endpoint unreachable${sent}`, {
      ...base,
      retryable: true,
      unknown,
      hint: 'retry; check that the RPC endpoint is up',
    })
  }
  if (
    rpcCode === -32603 ||
    rpcCode === -32000 ||
    names.has('InternalRpcError') ||
    names.has('UnknownNodeError') ||
    names.has('ResourceUnavailableRpcError')
  ) {
    return new RpcTransportError('RPC_ERROR', `RPC node error: ${short}${sent}`, {
      ...base,
      retryable: true,
      unknown,
      hint: 'retry; the node reported an internal error',
    })
  }
  return new UnknownChainError(`unclassified chain error: ${short}${sent}`, {
    ...base,
    unknown,
    hint: 'inspect the cause; unclassified errors are not retried',
  })
}

/** The error and its causes, outermost first (viem's `walk()` order), bounded against cycles. */
function errorChain(err: unknown): unknown[] {
  const out: unknown[] = []
  let cur: unknown = err
  while (cur !== undefined && cur !== null && out.length < 16 && !out.includes(cur)) {
    out.push(cur)
    cur = typeof cur === 'object' ? (cur as { cause?: unknown }).cause : undefined
  }
  // viem's own walk() reaches the same errors; include its result in case a subclass overrides `cause`.
  if (err instanceof BaseError) {
    const deepest = err.walk()
    if (!out.includes(deepest)) out.push(deepest)
  }
  return out
}

function describe(e: unknown): string {
  if (e instanceof BaseError) return `${e.name} ${e.shortMessage} ${e.details ?? ''}`
  if (e instanceof Error) return `${e.name} ${e.message}`
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message)
  return String(e)
}

/** A short, secret-free description: the deepest node message (viem's `details`) or the error's first line. */
function shortText(chain: unknown[]): string {
  for (const e of chain) {
    if (e instanceof BaseError && e.details) return redactSecrets(e.details).slice(0, 300)
  }
  const first = chain[0]
  const msg = first instanceof BaseError ? first.shortMessage : first instanceof Error ? first.message : String(first)
  return redactSecrets((msg.split('\n')[0] ?? '').slice(0, 300))
}

function findStatus(chain: unknown[]): number | undefined {
  for (const e of chain) {
    const s = e && typeof e === 'object' ? (e as { status?: unknown }).status : undefined
    if (typeof s === 'number') return s
  }
  return undefined
}

function findRpcCode(chain: unknown[]): number | undefined {
  for (const e of chain) {
    const c = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined
    if (typeof c === 'number') return c
  }
  return undefined
}

function isTransport(names: Set<string>, status: number | undefined): boolean {
  return names.has('HttpRequestError') || names.has('TimeoutError') || (status !== undefined && status >= 400)
}

/** Finds revert data or an already decoded reason anywhere in the chain and decodes Error/Panic/custom errors. */
function findRevert(chain: unknown[], abi?: Abi): { reason?: string; data?: string } | undefined {
  for (const e of chain) {
    if (!e || typeof e !== 'object') continue
    const rec = e as { name?: string; reason?: unknown; data?: unknown }
    if (rec.name === 'ContractFunctionRevertedError' && typeof rec.reason === 'string') return { reason: rec.reason }
    const data =
      typeof rec.data === 'string'
        ? rec.data
        : typeof (rec.data as { data?: unknown })?.data === 'string'
          ? (rec.data as { data: string }).data
          : undefined
    if (data && /^0x[0-9a-fA-F]{8,}$/.test(data)) return { data, reason: decodeReason(data as Hex, abi) }
  }
  return undefined
}

function decodeReason(data: Hex, abi?: Abi): string | undefined {
  try {
    const { errorName, args } = decodeErrorResult({ abi: abi ?? [], data })
    if (errorName === 'Error' && typeof args?.[0] === 'string') return args[0]
    if (errorName === 'Panic') return `Panic(${String(args?.[0])})`
    return `${errorName}(${(args ?? []).map(String).join(', ')})`
  } catch {
    return undefined
  }
}

/** A chain of plain Errors mirroring `err` with every message and stack scrubbed of URLs, keys and bodies. */
export function sanitizeCause(err: unknown, depth = 0): Error | undefined {
  if (err === undefined || err === null || depth > 8) return undefined
  const name = err instanceof Error ? err.name : 'Error'
  const raw =
    err instanceof BaseError
      ? `${err.shortMessage}${err.details ? ` Details: ${err.details}` : ''}`
      : err instanceof Error
        ? err.message
        : typeof err === 'object' && 'message' in err
          ? String((err as { message: unknown }).message)
          : String(err)
  const next = typeof err === 'object' ? (err as { cause?: unknown }).cause : undefined
  const out = new Error(redactSecrets(stripBodies(raw)), { cause: sanitizeCause(next, depth + 1) })
  out.name = name
  out.stack = `${name}: ${out.message}`
  return out
}

// viem appends "Request body: {...}" (signed raw transactions, call data) to messages; it never belongs in logs.
function stripBodies(text: string): string {
  return text.replace(/Request body: .*/g, 'Request body: [omitted]').replace(/URL: .*/g, 'URL: [omitted]')
}
