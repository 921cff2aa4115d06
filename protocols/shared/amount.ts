// The one rule for amounts people type: "0.2" is in the token's own units; base units only when written explicitly.
import { formatUnits, parseUnits } from 'viem'

/**
 * A parsed amount before its token's decimals are applied:
 * `units` is a decimal string in whole tokens ("0.2" WETH, "500" USDC); `raw` is an exact count of base units,
 * written `"200000 wei"` or `{ raw: "200000" }` (or a bigint from code).
 */
export type AmountInput = { kind: 'units'; text: string } | { kind: 'raw'; value: bigint }

/** The result of reading an amount: the input, or why it was refused (a message ready for a field path). */
export type AmountRead = { ok: true; amount: AmountInput } | { ok: false; message: string }

const UNITS = /^\d{1,30}(?:\.\d{1,36})?$/
const RAW_TEXT = /^(\d{1,78})\s*wei$/i
const RAW_DIGITS = /^\d{1,78}$/

/** What every amount field accepts, for error messages and docs. */
export const AMOUNT_FORMS =
  'a decimal string in the token\'s units like "0.2", or base units written out: "200000 wei" or { raw: "200000" }'

/** Reads one amount value as a person or a program gave it; bare numbers are refused (floats round money). */
export function readAmount(value: unknown): AmountRead {
  if (typeof value === 'bigint')
    return value > 0n
      ? { ok: true, amount: { kind: 'raw', value } }
      : { ok: false, message: 'must be greater than zero' }
  if (typeof value === 'number') {
    return {
      ok: false,
      message: `bare numbers are refused (floats round money): write "${Number.isFinite(value) ? value : 1}" in quotes for token units, or "N wei" for base units`,
    }
  }
  if (typeof value === 'string') {
    const text = value.trim()
    const raw = RAW_TEXT.exec(text)
    if (raw) return positive({ kind: 'raw', value: BigInt(raw[1] as string) })
    if (UNITS.test(text)) return positive({ kind: 'units', text })
    return { ok: false, message: `expected ${AMOUNT_FORMS}; got "${text.slice(0, 40)}"` }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value)
    const raw = (value as { raw?: unknown }).raw
    if (keys.length === 1 && typeof raw === 'string' && RAW_DIGITS.test(raw))
      return positive({ kind: 'raw', value: BigInt(raw) })
    return { ok: false, message: 'expected { raw: "<base units as digits>" } and no other keys' }
  }
  return { ok: false, message: `expected ${AMOUNT_FORMS}` }
}

function positive(amount: AmountInput): AmountRead {
  if (amount.kind === 'raw' ? amount.value === 0n : !/[1-9]/.test(amount.text))
    return { ok: false, message: 'must be greater than zero' }
  return { ok: true, amount }
}

/**
 * Converts an amount to exact base units with the token's decimals; a decimal finer than the token's smallest unit
 * is refused rather than rounded. Returns a message instead of throwing, so callers can attach the field path.
 */
export function toBaseUnits(
  amount: AmountInput,
  decimals: number,
  symbol: string,
): { ok: true; value: bigint } | { ok: false; message: string } {
  if (amount.kind === 'raw') return { ok: true, value: amount.value }
  const fraction = amount.text.split('.')[1] ?? ''
  if (fraction.length > decimals) {
    return {
      ok: false,
      message: `"${amount.text}" has ${fraction.length} decimal places but ${symbol} has ${decimals}: round it, or give base units as "N wei"`,
    }
  }
  return { ok: true, value: parseUnits(amount.text, decimals) }
}

/** Base units shown in the token's own units with its symbol, exactly (no rounding): 200000000000000000n, 18 -> "0.2 WETH". */
export function formatAmount(value: bigint, decimals: number, symbol: string): string {
  return `${formatUnits(value, decimals)} ${symbol}`
}
