// Config schema of a chain's address-book overrides: tokens by symbol, contracts and feeds by name, on top of the built-in book.
import { z } from 'zod'

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const address = z
  .string({ error: 'expected a 0x-prefixed 20-byte hex address' })
  .regex(ADDRESS, { error: 'expected a 0x-prefixed 20-byte hex address (42 characters)' })
const symbol = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, {
    error: 'expected a token symbol such as "USDC" (letters, digits, ".", "_", "-")',
  })
  .refine((s) => s !== 'ETH', { error: '"ETH" is reserved for the native coin: pick another symbol' })
const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/, { error: 'expected a contract name such as "uniswapV2Router02"' })

/** `chains[].book`: entries added to, or replacing, the built-in address book of that chain. */
export const chainBookSchema = z.strictObject({
  tokens: z
    .record(
      symbol,
      z.strictObject({
        address,
        decimals: z.int({ error: "expected the token's decimals (whole number 0..36)" }).min(0).max(36),
      }),
    )
    .default({}),
  contracts: z.record(name, address).default({}),
  priceFeeds: z.record(name, address).default({}),
  vaults: z.record(name, address).default({}),
  /** For an OP-Stack L2 the built-in book does not know: the chain id of its L1. */
  parentChainId: z.int().min(1).optional(),
})
