// Config schema of `chains[].caps.dailyTokens`: caps keyed by token symbol (token units) or by address (base units).
import { z } from 'zod'

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/
const UNITS = /^\d{1,30}(?:\.\d{1,36})?$/
const RAW = /^(\d{1,78})\s*wei$/i

/** A cap value as written, normalized to text: token units ("500") or base units ("500000000 wei"); else undefined. */
function capText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim()
  if (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as { raw?: unknown }).raw === 'string'
  ) {
    const raw = (v as { raw: string }).raw
    return /^\d{1,78}$/.test(raw) ? `${raw} wei` : undefined
  }
  return undefined
}

/**
 * Daily spend caps per token. Keyed by symbol from the chain's address book, the value is in the token's units
 * ("500" USDC); keyed by address (a token the book lacks), only base units written out are accepted, so an old
 * base-unit number is never read as whole tokens. Every bad entry is reported, not only the first.
 */
export const dailyTokensSchema = z.record(z.string(), z.unknown()).transform((caps, ctx) => {
  const out: Record<string, string> = {}
  for (const [key, raw] of Object.entries(caps)) {
    const value = capText(raw)
    const byAddress = ADDRESS.test(key)
    const issue = (message: string) => ctx.addIssue({ code: 'custom', path: [key], message })
    if (!byAddress && !SYMBOL.test(key))
      issue('expected a token symbol from the address book (e.g. "USDC") or a token address')
    else if (value === undefined) {
      issue(
        `expected a cap like "500" (token units), "500000000 wei" or { raw: "500000000" } (base units)${typeof raw === 'number' ? '; numbers are refused (floats round money): quote it' : ''}`,
      )
    } else if (RAW.test(value)) {
      if (/^0+\s*wei$/i.test(value)) issue('a cap of 0 allows nothing: remove the entry instead')
      else out[key] = value
    } else if (!UNITS.test(value))
      issue(`expected "500" (token units) or "500000000 wei" (base units), got "${value.slice(0, 40)}"`)
    else if (byAddress)
      issue(
        `a cap keyed by address must be in base units written out ("${value} wei"), or key it by the token's symbol to use token units`,
      )
    else out[key] = value
  }
  return out
})
