// Zod building blocks shared by adapter param schemas: positive base-unit amounts, addresses, chain ids, slippage.
import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'
import { readAmount } from './amount.ts'

/**
 * A positive amount in base units. The registry has already turned token-unit strings ("0.2") of declared amount
 * fields into bigints (shared/amount-fields.ts); here only base units written out pass: a bigint, "200000 wei" or
 * { raw: "200000" }. Bare numbers are refused.
 */
export const amountSchema = z.unknown().transform((v, ctx): bigint => baseUnits(v, ctx))

/** Like amountSchema, or the literal "max" (the whole balance or position). */
export const amountOrMaxSchema = z
  .unknown()
  .transform((v, ctx): bigint | 'max' => (v === 'max' ? 'max' : baseUnits(v, ctx)))

function baseUnits(v: unknown, ctx: z.RefinementCtx): bigint {
  const r = readAmount(v)
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message })
    return z.NEVER
  }
  if (r.amount.kind === 'units') {
    ctx.addIssue({
      code: 'custom',
      message: `"${r.amount.text}" is in token units, but its token is unknown here: fix the chain and token fields, or give base units as "N wei"`,
    })
    return z.NEVER
  }
  return r.amount.value
}

/** A checksummed 0x address; rejects malformed and zero addresses. */
export const addressSchema = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'must be a 0x-prefixed 20-byte address')
  .transform((v) => getAddress(v) as Address)
  .refine((v) => BigInt(v) !== 0n, 'must not be the zero address')

/** A positive integer chain id. */
export const chainIdSchema = z.number().int().positive()

/** A slippage bound in basis points: at least 1 (0 would make every swap revert or be unbounded), at most 50%. */
export const slippageBpsSchema = z
  .number()
  .int()
  .min(1, 'must be at least 1 bps')
  .max(5_000, 'must be at most 5000 bps (50%)')

/** A token reference: "ETH" for the native coin or a symbol from the chain's address book. */
export const tokenSymbolSchema = z.string().min(1).max(32)
