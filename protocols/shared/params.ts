// Zod building blocks shared by adapter param schemas: positive base-unit amounts, addresses, chain ids, slippage.
import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'

/** A positive integer amount in the token's smallest unit (wei), given as a bigint or a decimal string. */
export const amountSchema = z
  .union([z.bigint(), z.string().regex(/^-?\d+$/, 'must be an integer amount in base units (wei), e.g. "1000000"'), z.number().int()])
  .transform((v) => BigInt(v))
  .refine((v) => v > 0n, 'must be greater than zero')

/** Like amountSchema, or the literal "max" (the whole balance or position). */
export const amountOrMaxSchema = z.union([z.literal('max'), amountSchema])

/** A checksummed 0x address; rejects malformed and zero addresses. */
export const addressSchema = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'must be a 0x-prefixed 20-byte address')
  .transform((v) => getAddress(v) as Address)
  .refine((v) => BigInt(v) !== 0n, 'must not be the zero address')

/** A positive integer chain id. */
export const chainIdSchema = z.number().int().positive()

/** A slippage bound in basis points: at least 1 (0 would make every swap revert or be unbounded), at most 50%. */
export const slippageBpsSchema = z.number().int().min(1, 'must be at least 1 bps').max(5_000, 'must be at most 5000 bps (50%)')

/** A token reference: "ETH" for the native coin or a symbol from the chain's address book. */
export const tokenSymbolSchema = z.string().min(1).max(32)
