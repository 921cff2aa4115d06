// Errors raised by the risk modules: stale or invalid market data, and bad risk configuration.
import { AppError, type AppErrorOptions } from '../errors/app-error.ts'

/** A price source answered with data the bot must not act on (stale, non-positive, incomplete round). */
export class PriceFeedError extends AppError {
  override name = 'PriceFeedError' as const
  constructor(code: 'PRICE_STALE' | 'PRICE_INVALID' | 'PRICE_READ', message: string, options: AppErrorOptions = {}) {
    // A stale answer may be refreshed by the next round, an unreadable feed may be an RPC hiccup.
    super(code, message, { retryable: code !== 'PRICE_INVALID', ...options })
  }
}

/** Risk configuration that cannot be applied (e.g. thresholds in the wrong order); never retryable. */
export class RiskConfigError extends AppError {
  override name = 'RiskConfigError' as const
  constructor(message: string, options: AppErrorOptions = {}) {
    super('RISK_CONFIG', message, { retryable: false, ...options })
  }
}
