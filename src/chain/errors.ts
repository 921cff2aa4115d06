// Typed errors of the chain layer: RPC transport, node rejections, reverts, signer/keystore, spend policy.
import { AppError, type AppErrorOptions } from '../errors/app-error.ts'

/** Options of every chain error; `unknown` marks a broadcast whose outcome cannot be known from the answer. */
export interface ChainErrorOptions extends AppErrorOptions {
  /**
   * True when a transaction MAY have reached the network although the call failed (timeout, 5xx, dropped
   * connection during `eth_sendRawTransaction`): the engine must reconcile by hash/nonce, never mark it failed.
   */
  unknown?: boolean
  chainId?: number
}

/**
 * Root of chain-layer errors. `retryable` means "repeating the same request (same signed bytes) later may
 * succeed"; it says nothing about signing something new, which only the engine decides.
 */
export class ChainError extends AppError {
  override name: string = 'ChainError'
  readonly unknown: boolean
  readonly chainId: number | undefined

  constructor(code: string, message: string, options: ChainErrorOptions = {}) {
    super(code, message, options)
    this.unknown = options.unknown ?? false
    this.chainId = options.chainId
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), unknown: this.unknown, chainId: this.chainId }
  }
}

/** Codes of RPC transport failures (the node never judged the request, or we never saw its answer). */
export type RpcTransportCode = 'RPC_TIMEOUT' | 'RPC_RATE_LIMITED' | 'RPC_HTTP' | 'RPC_UNAVAILABLE' | 'RPC_ERROR'

/** The RPC endpoint failed: timeout, 429, HTTP 5xx, refused connection, or an internal JSON-RPC error. */
export class RpcTransportError extends ChainError {
  override name = 'RpcTransportError' as const
  readonly status: number | undefined
  constructor(code: RpcTransportCode, message: string, options: ChainErrorOptions & { status?: number } = {}) {
    super(code, message, options)
    this.status = options.status
  }
}

/** Codes of nonce rejections. */
export type NonceErrorCode = 'NONCE_TOO_LOW' | 'NONCE_TOO_HIGH'

/** The node rejected the nonce; the lane must re-sync from the chain before anything else is signed. */
export class NonceError extends ChainError {
  override name = 'NonceError' as const
  constructor(code: NonceErrorCode, message: string, options: ChainErrorOptions = {}) {
    super(code, message, { ...options, retryable: options.retryable ?? false })
  }
}

/** Codes of fee rejections. */
type FeeErrorCode =
  'REPLACEMENT_UNDERPRICED' | 'FEE_CAP_TOO_LOW' | 'FEE_INVALID' | 'FEE_ABOVE_CAP' | 'FEE_BUMP_ABOVE_CAP'

/** Fees rejected by the node or beyond the bot's cap. */
export class FeeError extends ChainError {
  override name = 'FeeError' as const
}

/** The sender cannot pay value + gas; repeating will not help until the wallet is funded. */
export class InsufficientFundsError extends ChainError {
  override name = 'InsufficientFundsError' as const
  constructor(message: string, options: ChainErrorOptions = {}) {
    super('INSUFFICIENT_FUNDS', message, { ...options, retryable: false })
  }
}

/** The call or transaction reverted; `reason` is the decoded revert reason when one was available. */
export class RevertError extends ChainError {
  override name = 'RevertError' as const
  readonly reason: string | undefined
  readonly data: string | undefined
  constructor(message: string, options: ChainErrorOptions & { reason?: string; data?: string } = {}) {
    super('EXECUTION_REVERTED', message, { ...options, retryable: false })
    this.reason = options.reason
    this.data = options.data
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason }
  }
}

/** The node already holds this exact transaction: treat it as sent and track it by hash. */
export class AlreadyKnownError extends ChainError {
  override name = 'AlreadyKnownError' as const
  constructor(message: string, options: ChainErrorOptions = {}) {
    super('TX_ALREADY_KNOWN', message, { ...options, retryable: false })
  }
}

/** The RPC answers for another chain than configured; nothing may be signed for it. */
export class ChainIdMismatchError extends ChainError {
  override name = 'ChainIdMismatchError' as const
  readonly expected: number
  readonly actual: number
  constructor(expected: number, actual: number, options: ChainErrorOptions = {}) {
    super('CHAIN_ID_MISMATCH', `RPC reports chain id ${actual} but chain ${expected} is configured; refusing to sign`, {
      ...options,
      retryable: false,
      chainId: expected,
      hint: 'check the rpc URLs configured for this chain: one of them points at a different network',
      details: { expected, actual },
    })
    this.expected = expected
    this.actual = actual
  }
}

/** Codes of signer and keystore failures. */
export type SignerErrorCode =
  | 'SIGNER_ENV_MISSING'
  | 'SIGNER_KEYLESS'
  | 'SIGNER_KEY_INVALID'
  | 'KEYSTORE_NOT_FOUND'
  | 'KEYSTORE_INVALID'
  | 'KEYSTORE_BAD_PASSPHRASE'
  | 'KEYSTORE_PASSPHRASE_MISSING'
  | 'KEYSTORE_PERMISSIONS'
  | 'KEYSTORE_EXISTS'

/** A signer could not be loaded; the message names the variable or file, never its content. */
export class SignerError extends ChainError {
  override name = 'SignerError' as const
  constructor(code: SignerErrorCode, message: string, options: ChainErrorOptions = {}) {
    super(code, message, { ...options, retryable: false })
  }
}

/** Codes of spend-policy refusals. */
export type PolicyErrorCode =
  | 'POLICY_MAX_FEE'
  | 'POLICY_MAX_VALUE'
  | 'POLICY_DAILY_NATIVE'
  | 'POLICY_DAILY_TOKEN'
  | 'POLICY_TOKEN_UNCAPPED'
  | 'POLICY_NOT_ALLOWLISTED'
  | 'POLICY_SPENDER_NOT_ALLOWLISTED'
  | 'POLICY_UNLIMITED_APPROVAL'
  | 'POLICY_APPROVAL_EXCEEDS_SPEND'
  | 'POLICY_BALANCE'
  | 'POLICY_CONTRACT_CREATION'
  | 'POLICY_BAD_INPUT'

/** A transaction breaks a configured cap or allowlist; never retryable (the same transaction stays refused). */
export class PolicyViolationError extends ChainError {
  override name = 'PolicyViolationError' as const
  constructor(code: PolicyErrorCode, message: string, options: ChainErrorOptions = {}) {
    super(code, message, { ...options, retryable: false })
  }
}

/** An error the mapper could not classify; not retryable (fail closed), outcome unknown for a broadcast. */
export class UnknownChainError extends ChainError {
  override name = 'UnknownChainError' as const
  constructor(message: string, options: ChainErrorOptions = {}) {
    super('CHAIN_UNKNOWN', message, { ...options, retryable: options.retryable ?? false })
  }
}
