// Config field types with units: durations, gas prices and native amounts, parsed exactly (no float money).
import { z } from 'zod'

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const GWEI = /^(\d{1,12})(?:\.(\d{1,9}))?\s*gwei$/i
const WEI = /^(\d{1,30})\s*wei$/i
const ETHER = /^(\d{1,12})(?:\.(\d{1,18}))?$/
const DECIMAL = /^\d{1,30}(?:\.\d{1,36})?$/
const MAX_DURATION_MS = 366 * 86_400_000

/** Parses `30s`, `5m`, `1.5h`, `250ms`, `2d` or a plain number of milliseconds; null when malformed. */
export function parseDurationMs(value: string | number): number | null {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value <= MAX_DURATION_MS ? value : null
  }
  const m = DURATION.exec(value.trim())
  if (!m) return null
  const ms = Math.round(Number(m[1]) * (UNIT_MS[m[2] as string] as number))
  return Number.isFinite(ms) && ms <= MAX_DURATION_MS ? ms : null
}

/** Converts a decimal string with up to `decimals` fraction digits to an exact bigint of base units. */
export function decimalToUnits(whole: string, fraction: string | undefined, decimals: number): bigint {
  const frac = (fraction ?? '').padEnd(decimals, '0')
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac === '' ? '0' : frac)
}

/** Parses `"30 gwei"`, `"1500000000 wei"` or a number of gwei into wei; null when malformed. */
export function parseGasPriceWei(value: string | number): bigint | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value > 1e9) return null
    const text = value.toFixed(9).replace(/\.?0+$/, '')
    const [w, f] = text.split('.')
    return decimalToUnits(w as string, f, 9)
  }
  const g = GWEI.exec(value.trim())
  if (g) return decimalToUnits(g[1] as string, g[2], 9)
  const w = WEI.exec(value.trim())
  return w ? BigInt(w[1] as string) : null
}

/** Parses an ETH amount given as a decimal string (`"0.05"`) into wei; null when malformed. */
export function parseEtherWei(value: string): bigint | null {
  const m = ETHER.exec(value.trim())
  return m ? decimalToUnits(m[1] as string, m[2], 18) : null
}

/** A duration: number of ms or a string with a unit; parsed to integer milliseconds. */
export const duration = z
  .union([z.number(), z.string()], {
    error: 'expected a duration: milliseconds or a string like "30s", "5m", "2h", "1d"',
  })
  .transform((v, ctx) => {
    const ms = parseDurationMs(v)
    if (ms === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a duration: whole milliseconds or a string like "30s", "5m", "2h", "1d" (at most 366 days)',
      })
      return z.NEVER
    }
    return ms
  })

/** A gas price cap: `"30 gwei"`, `"1000 wei"` or a number of gwei; parsed to a bigint of wei. */
export const gasPrice = z
  .union([z.number(), z.string()], {
    error: 'expected a gas price like "30 gwei", "1500000000 wei" or a number of gwei',
  })
  .transform((v, ctx) => {
    const wei = parseGasPriceWei(v)
    if (wei === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a gas price like "30 gwei", "1500000000 wei" or a number of gwei',
      })
      return z.NEVER
    }
    return wei
  })

/** An ETH amount as a decimal string (never a float); parsed to a bigint of wei. */
export const etherAmount = z
  .string({ error: 'expected an ETH amount as a decimal string like "0.05" (numbers are refused: floats round money)' })
  .transform((v, ctx) => {
    const wei = parseEtherWei(v)
    if (wei === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected an ETH amount as a decimal string like "0.05", at most 18 decimals',
      })
      return z.NEVER
    }
    return wei
  })

/** A token amount in whole units as a decimal string; the capital module converts it with the token's decimals. */
export const tokenAmount = z
  .string({
    error: 'expected a token amount as a decimal string like "250.5" (numbers are refused: floats round money)',
  })
  .regex(DECIMAL, { error: 'expected a token amount as a decimal string like "250.5"' })

/** A fraction between 0 and 1 inclusive (e.g. 0.05 for 5 %). */
export const fraction = z
  .number({ error: 'expected a number between 0 and 1 (e.g. 0.05 for 5 %)' })
  .min(0, { error: 'expected a number between 0 and 1 (e.g. 0.05 for 5 %)' })
  .max(1, { error: 'expected a number between 0 and 1 (e.g. 0.05 for 5 %)' })
