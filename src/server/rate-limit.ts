// Token-bucket rate limiting for mutations, keyed by token name (or client address when unauthenticated).

/** Limits: `perMinute` steady rate and a `burst` allowance. */
export interface RateLimitConfig {
  perMinute: number
  burst: number
}

/** The limiter: `take(key)` answers allowed, or the seconds to wait. */
export interface RateLimiter {
  take(key: string): { ok: true } | { ok: false; retryAfterS: number }
}

/** Creates a limiter; idle buckets are dropped so memory stays bounded under many client addresses. */
export function createRateLimiter(config: RateLimitConfig, now: () => number = Date.now): RateLimiter {
  const perMs = config.perMinute / 60_000
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    take(key) {
      const t = now()
      if (buckets.size > 10_000) for (const [k, b] of buckets) if (t - b.at > 60_000) buckets.delete(k)
      const b = buckets.get(key) ?? { tokens: config.burst, at: t }
      b.tokens = Math.min(config.burst, b.tokens + (t - b.at) * perMs)
      b.at = t
      buckets.set(key, b)
      if (b.tokens >= 1) {
        b.tokens -= 1
        return { ok: true }
      }
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1_000)) }
    },
  }
}
