// Applies the amount rule to an adapter's raw params: each declared amount field becomes exact base units.
import { getAddress, isAddress, type Address } from 'viem'
import type { FieldIssue } from '../../src/errors/validation-error.ts'
import type { AddressBook, AmountDenomination, AmountFields, ReadContext } from '../types.ts'

export type { AmountDenomination, AmountFields } from '../types.ts'
import { readAmount, toBaseUnits } from './amount.ts'
import { erc20Abi } from './erc20-abi.ts'
import { NATIVE } from './resolve.ts'

/** A chain id from raw params, if it is one. */
export const rawChainId = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined

/** A string from raw params, if it is one. */
export const rawString = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined)

/** The denomination of an amount in the token named by a raw symbol field on a raw chain id field. */
export function tokenAmountIn(chainId: unknown, token: unknown): AmountDenomination | undefined {
  const id = rawChainId(chainId)
  const symbol = rawString(token)
  return id && symbol ? { chainId: id, token: symbol } : undefined
}

/** A vault reference (book name or address) resolved without RPC, if possible. */
export function rawVault(book: AddressBook, chainId: number, ref: unknown): Address | undefined {
  if (typeof ref !== 'string') return undefined
  const named = book[chainId]?.vaults?.[ref]
  if (named) return named
  return isAddress(ref, { strict: false }) ? getAddress(ref) : undefined
}

// Decimals never change for a deployed token, so one read per chain and address serves the whole process.
const decimalsCache = new Map<string, number>()
const assetCache = new Map<string, Address>()

/** Decimals and a display symbol for a denomination from the book alone; undefined when it needs a chain read. */
function fromBook(
  book: AddressBook,
  d: AmountDenomination,
): { decimals: number; symbol: string } | { error: string } | undefined {
  const entry = book[d.chainId]
  if ('token' in d) {
    if (d.token === NATIVE) return { decimals: 18, symbol: NATIVE }
    const t = entry?.tokens[d.token]
    if (t) return { decimals: t.decimals, symbol: t.symbol }
    const known = [NATIVE, ...Object.keys(entry?.tokens ?? {})].join(', ')
    return {
      error: entry
        ? `its token "${d.token}" is not in the address book of chain ${d.chainId} (known: ${known})`
        : `chain ${d.chainId} has no address book`,
    }
  }
  if ('address' in d) {
    const t = Object.values(entry?.tokens ?? {}).find((x) => x.address.toLowerCase() === d.address.toLowerCase())
    if (t) return { decimals: t.decimals, symbol: t.symbol }
    const cached = decimalsCache.get(`${d.chainId}:${d.address.toLowerCase()}`)
    return cached === undefined ? undefined : { decimals: cached, symbol: d.address }
  }
  const asset = assetCache.get(`${d.chainId}:${d.vaultAsset.toLowerCase()}`)
  return asset ? fromBook(book, { chainId: d.chainId, address: asset }) : undefined
}

/** Reads the decimals a denomination needs from the chain (once per token), for tokens the book lacks. */
async function fromChain(ctx: ReadContext, d: AmountDenomination): Promise<{ decimals: number; symbol: string }> {
  if ('token' in d) throw new Error('unreachable: book tokens never need a chain read')
  const client = ctx.client(d.chainId)
  let token: Address
  if ('vaultAsset' in d) {
    const key = `${d.chainId}:${d.vaultAsset.toLowerCase()}`
    token =
      assetCache.get(key) ??
      (await client.readContract({ address: d.vaultAsset, abi: vaultAssetAbi, functionName: 'asset' }))
    assetCache.set(key, token)
  } else {
    token = d.address
  }
  const key = `${d.chainId}:${token.toLowerCase()}`
  const decimals =
    decimalsCache.get(key) ??
    Number(await client.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' }))
  decimalsCache.set(key, decimals)
  return { decimals, symbol: token }
}

const vaultAssetAbi = [
  { type: 'function', name: 'asset', stateMutability: 'view', inputs: [], outputs: [{ type: 'address' }] },
] as const

/** Result of applying the rule: params with amounts in base units, every refused field, and fields left for run time. */
export interface AmountsApplied {
  params: unknown
  issues: FieldIssue[]
  /** Fields whose decimals need a chain read (only when no context was given). */
  deferred: string[]
}

/**
 * Converts each declared amount field of `raw` to a bigint of base units. With `ctx`, decimals the book lacks are
 * read from the chain (cached); without it (config check, no RPC) such fields are only syntax-checked and listed
 * as deferred. Fields that are not amounts here ("max") and undeclared fields pass through unchanged.
 */
export async function applyAmountRule(
  fields: AmountFields | undefined,
  raw: unknown,
  book: AddressBook,
  ctx?: ReadContext,
): Promise<AmountsApplied> {
  return applyWith(fields, raw, book, ctx ? (d) => fromChain(ctx, d) : undefined)
}

/** The same rule without any chain read (config load): decimals come from the book, else the field is deferred. */
export function applyAmountRuleOffline(
  fields: AmountFields | undefined,
  raw: unknown,
  book: AddressBook,
): AmountsApplied {
  const issues: FieldIssue[] = []
  const deferred: string[] = []
  const params =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : raw
  if (!fields || params === raw) return { params: raw, issues, deferred }
  const p = params as Record<string, unknown>
  for (const [field, denominate] of Object.entries(fields)) {
    const r = convertOne(p[field], denominate(raw as Record<string, unknown>, book), book)
    if (r === 'skip') continue
    if (r === 'deferred') {
      deferred.push(field)
      continue
    }
    if ('message' in r) issues.push({ path: field, message: r.message })
    else p[field] = r.value
  }
  return { params: p, issues, deferred }
}

type Converted = 'skip' | 'deferred' | { value: bigint } | { message: string }

function convertOne(
  value: unknown,
  d: AmountDenomination | undefined,
  book: AddressBook,
  known?: { decimals: number; symbol: string },
): Converted {
  if (value === undefined || value === 'max') return 'skip'
  const read = readAmount(value)
  if (!read.ok) return { message: read.message }
  if (read.amount.kind === 'raw') return { value: read.amount.value }
  if (!d) return 'skip'
  const info = known ?? fromBook(book, d)
  if (!info) return 'deferred'
  if ('error' in info) return { message: `"${read.amount.text}" is in token units, but ${info.error}` }
  const units = toBaseUnits(read.amount, info.decimals, info.symbol)
  return units.ok ? { value: units.value } : { message: units.message }
}

async function applyWith(
  fields: AmountFields | undefined,
  raw: unknown,
  book: AddressBook,
  read: ((d: AmountDenomination) => Promise<{ decimals: number; symbol: string }>) | undefined,
): Promise<AmountsApplied> {
  const first = applyAmountRuleOffline(fields, raw, book)
  if (!read || first.deferred.length === 0 || !fields) return first
  const p = first.params as Record<string, unknown>
  for (const field of first.deferred) {
    const d = fields[field]!(raw as Record<string, unknown>, book)!
    const r = convertOne(p[field], d, book, await read(d))
    if (typeof r === 'object' && 'message' in r) first.issues.push({ path: field, message: r.message })
    else if (typeof r === 'object') p[field] = r.value
  }
  return { params: p, issues: first.issues, deferred: [] }
}
