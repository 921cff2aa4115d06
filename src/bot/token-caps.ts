// Turns configured daily token caps (by symbol in token units, or by address in base units) into exact caps by address.
import { getAddress, type Address } from 'viem'
import { ValidationError, type FieldIssue } from '../errors/validation-error.ts'
import { readAmount, toBaseUnits } from '../../protocols/shared/amount.ts'
import type { ChainBook } from '../../protocols/types.ts'

/** Problems with the caps of one chain, each with its config path; empty when all resolve. */
export function tokenCapIssues(caps: Record<string, string>, book: ChainBook | undefined, path: string): FieldIssue[] {
  return resolve(caps, book, path).issues
}

/** Caps by token address in base units; a symbol the book lacks is a ValidationError (fail closed, nothing starts). */
export function resolveTokenCaps(
  caps: Record<string, string>,
  book: ChainBook | undefined,
  path: string,
): Record<Address, bigint> {
  const r = resolve(caps, book, path)
  if (r.issues.length > 0)
    throw new ValidationError(
      'spend caps',
      r.issues,
      'key dailyTokens by a symbol of the chain\'s address book, or by address with "N wei"',
    )
  return r.caps
}

function resolve(
  caps: Record<string, string>,
  book: ChainBook | undefined,
  path: string,
): { caps: Record<Address, bigint>; issues: FieldIssue[] } {
  const out: Record<Address, bigint> = {}
  const issues: FieldIssue[] = []
  for (const [key, text] of Object.entries(caps)) {
    const at = `${path}.${key}`
    const read = readAmount(text)
    if (!read.ok) {
      issues.push({ path: at, message: read.message })
      continue
    }
    if (/^0x[0-9a-fA-F]{40}$/.test(key)) {
      // The schema already allows only base units for address keys.
      if (read.amount.kind === 'raw') out[getAddress(key)] = read.amount.value
      else issues.push({ path: at, message: 'a cap keyed by address must be in base units ("N wei")' })
      continue
    }
    const token = book?.tokens[key]
    if (!token) {
      const known = Object.keys(book?.tokens ?? {}).join(', ') || 'none'
      issues.push({
        path: at,
        message: `unknown token "${key}" on this chain (known: ${known}); add it under book.tokens or key the cap by address`,
      })
      continue
    }
    const units = toBaseUnits(read.amount, token.decimals, token.symbol)
    if (!units.ok) {
      issues.push({ path: at, message: units.message })
      continue
    }
    out[token.address] = units.value
  }
  return { caps: out, issues }
}
