// One formatting of on-chain values for people (CLI, API, dashboard): amounts with symbols, fees, names, links.
import * as viemChains from 'viem/chains'
import { formatUnits, getAddress, isAddress, type Chain } from 'viem'
import { explorerTxUrl, nameOfAddress, tokenAt } from '../../protocols/address-book/index.ts'
import type { AddressBook } from '../../protocols/types.ts'
import { decodeCall } from './call-names.ts'

/** An amount as exact base units (a decimal string) next to the text a person reads ("0.2 WETH"). */
export interface Amount {
  amount: string
  formatted: string
}

/** A fee: exact wei, the native coin ("0.000163 ETH") and, when known, the gas price in gwei. */
export interface Fee {
  wei: string
  formatted: string
  gasUsed?: string
  gasPrice?: Amount
  /** True when the fee is the cap the transaction was signed with (not yet mined): it paid at most this. */
  atMost?: boolean
}

/** What a report formats with: the address book, and the native coin's symbol where a chain's is not ETH. */
export interface ReportBook {
  book: AddressBook
  nativeSymbols?: Record<string, string>
}

/** A call as a person reads it: the contract by its book name, the decoded function and its amounts. */
export interface CallView {
  to: string
  contract?: string
  function?: string
  value: Amount
  /** Token amounts of the call's arguments (`in`, `out min`, `amount`), each with its symbol. */
  amounts: Array<Amount & { role: string }>
  /** For `approve`: the spender, by its book name where it has one. */
  spender?: string
  /** `uniswapV2Router02.swapExactTokensForTokens(0.2 WETH -> >= 506.9 USDC)`. */
  summary: string
}

const KNOWN_CHAINS = Object.values(viemChains) as Chain[]

/** The native coin's symbol of a chain: the configured one, else viem's, else ETH. */
export function nativeSymbol(rb: ReportBook, chainId: number): string {
  return rb.nativeSymbols?.[chainId] ?? KNOWN_CHAINS.find((c) => c.id === chainId)?.nativeCurrency.symbol ?? 'ETH'
}

/** Drops trailing fraction zeros and a bare point: "1.500" -> "1.5", "1." -> "1". */
const trimZeros = (x: string) => (x.includes('.') ? x.replace(/0+$/, '').replace(/\.$/, '') : x)

/** Cuts a decimal string to `digits` significant digits (truncated; tiny fees keep their first digits, never 0). */
function significant(text: string, digits = 6): string {
  const [int = '0', frac = ''] = text.split('.')
  if (int !== '0') return trimZeros(`${int}.${frac.slice(0, Math.max(0, digits - int.length))}`)
  const lead = frac.search(/[1-9]/)
  if (lead < 0) return '0'
  return trimZeros(`0.${frac.slice(0, lead + digits)}`)
}

/** Native wei as exact base units and text in the chain's coin ("0.2 ETH"); `round` keeps 6 significant digits. */
export function nativeAmount(rb: ReportBook, chainId: number, wei: bigint, round = false): Amount {
  const text = formatUnits(wei, 18)
  return { amount: wei.toString(), formatted: `${round ? significant(text) : text} ${nativeSymbol(rb, chainId)}` }
}

/** A token amount with the book's symbol and decimals; a token the book lacks shows base units and its address. */
export function tokenAmount(rb: ReportBook, chainId: number, token: string, value: bigint): Amount {
  const t = isAddress(token, { strict: false }) ? tokenAt(rb.book, chainId, token) : undefined
  if (t) return { amount: value.toString(), formatted: `${formatUnits(value, t.decimals)} ${t.symbol}` }
  return { amount: value.toString(), formatted: `${value} base units of ${short(token)}` }
}

/** A gas price in gwei: 3 decimals at most ("12.345 gwei"), 3 significant digits below 1 gwei ("0.00123 gwei"). */
export function gwei(wei: bigint): Amount {
  const text = formatUnits(wei, 9)
  const [int = '0', frac = ''] = text.split('.')
  const shown = int === '0' ? significant(text, 3) : trimZeros(`${int}.${frac.slice(0, 3)}`)
  return { amount: wei.toString(), formatted: `${shown} gwei` }
}

/** A fee paid (gas used x effective gas price) or, before it is mined, the most it can cost (gas limit x fee cap). */
export function feeOf(
  rb: ReportBook,
  chainId: number,
  f: { gasUsed: bigint; gasPrice: bigint; atMost?: boolean },
): Fee {
  const wei = f.gasUsed * f.gasPrice
  return {
    wei: wei.toString(),
    formatted: `${f.atMost ? '≤ ' : ''}${nativeAmount(rb, chainId, wei, true).formatted} (${gwei(f.gasPrice).formatted})`,
    gasUsed: f.gasUsed.toString(),
    gasPrice: gwei(f.gasPrice),
    ...(f.atMost ? { atMost: true } : {}),
  }
}

/** A shortened address for tables (`0xf39F…2266`). */
export function short(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address
}

/** The book's name of an address on a chain, else the checksummed address. */
export function nameOrAddress(rb: ReportBook, chainId: number, address: string): string {
  const name = nameOfAddress(rb.book, chainId, address)
  if (name) return name
  return isAddress(address, { strict: false }) ? getAddress(address) : address
}

/** A transaction's block-explorer link on a real chain (from viem/chains via the built-in book); none on devnets. */
export function txLink(chainId: number, hash: string | null | undefined): string | undefined {
  return hash ? explorerTxUrl(chainId, hash) : undefined
}

/** Describes one call: contract name, decoded function, value and the token amounts of its arguments. */
export function describeCall(
  rb: ReportBook,
  c: { chainId: number; to: string; data: string; value: bigint },
): CallView {
  const contract = nameOfAddress(rb.book, c.chainId, c.to)
  const value = nativeAmount(rb, c.chainId, c.value)
  const decoded = c.data === '0x' || c.data === '' ? undefined : decodeCall(c.data)
  const fn = c.data === '0x' || c.data === '' ? 'transfer of value' : decoded?.functionName
  const amounts = decoded ? callAmounts(rb, c.chainId, c.to, decoded.functionName, decoded.args) : []
  if (c.value > 0n && !amounts.some((a) => a.role === 'in')) amounts.unshift({ role: 'value', ...value })
  const target = contract ?? short(getAddressSafe(c.to))
  const spender =
    fn === 'approve' && typeof decoded?.args[0] === 'string' ? nameOrAddress(rb, c.chainId, decoded.args[0]) : undefined
  const inner = [describeAmounts(amounts), spender ? `for ${spender}` : ''].filter(Boolean).join(' ')
  return {
    to: c.to,
    ...(contract ? { contract } : {}),
    ...(fn ? { function: fn } : {}),
    value,
    amounts,
    ...(spender ? { spender } : {}),
    summary: `${target}.${fn ?? 'unknown function'}(${inner})`,
  }
}

function getAddressSafe(a: string): string {
  return isAddress(a, { strict: false }) ? getAddress(a) : a
}

function describeAmounts(amounts: CallView['amounts']): string {
  const inn = amounts.find((a) => a.role === 'in' || a.role === 'amount' || a.role === 'value')
  const out = amounts.find((a) => a.role === 'out min')
  if (inn && out) return `${inn.formatted} -> >= ${out.formatted}`
  return amounts.map((a) => a.formatted).join(', ')
}

type Amounts = CallView['amounts']

/** Token amounts in a decoded call's arguments, by function (the registry adapters' calls). */
function callAmounts(rb: ReportBook, chainId: number, to: string, fn: string, args: readonly unknown[]): Amounts {
  const tok = (token: unknown, v: unknown, role: string): Amounts =>
    typeof token === 'string' && typeof v === 'bigint' ? [{ role, ...tokenAmount(rb, chainId, token, v) }] : []
  const eth = (v: unknown, role: string): Amounts =>
    typeof v === 'bigint' ? [{ role, ...nativeAmount(rb, chainId, v) }] : []
  const path = (p: unknown): string[] => (Array.isArray(p) ? (p as string[]) : [])
  const pathEnds = (p: unknown): string[] => {
    // Uniswap V3 packed path: token (20 bytes), fee (3 bytes), token, ...
    if (typeof p !== 'string' || p.length < 42) return []
    return [`0x${p.slice(2, 42)}`, `0x${p.slice(-40)}`]
  }
  const a = args
  switch (fn) {
    case 'approve':
      return tok(to, a[1], 'allowance')
    case 'transfer':
      return tok(to, a[1], 'amount')
    case 'withdraw':
      if (a.length === 1) return tok(to, a[0], 'amount') // WETH withdraw(wad)
      if (typeof a[0] === 'string') return tok(a[0], a[1], 'amount') // Aave withdraw(asset, amount, to)
      return [{ role: 'amount', amount: String(a[0]), formatted: `${String(a[0])} base units of the vault's asset` }]
    case 'supply':
    case 'borrow':
    case 'repay':
      return tok(a[0], a[1], 'amount')
    case 'swapExactETHForTokens':
      return tok(path(a[1]).at(-1), a[0], 'out min') // the ETH in is the call's value
    case 'swapExactTokensForETH':
      return [...tok(path(a[2])[0], a[0], 'in'), ...eth(a[1], 'out min')]
    case 'swapExactTokensForTokens':
      return [...tok(path(a[2])[0], a[0], 'in'), ...tok(path(a[2]).at(-1), a[1], 'out min')]
    case 'exactInputSingle': {
      const p = a[0] as { tokenIn: string; tokenOut: string; amountIn: bigint; amountOutMinimum: bigint }
      return [...tok(p.tokenIn, p.amountIn, 'in'), ...tok(p.tokenOut, p.amountOutMinimum, 'out min')]
    }
    case 'exactInput': {
      const p = a[0] as { path: string; amountIn: bigint; amountOutMinimum: bigint }
      const [i, o] = pathEnds(p.path)
      return [...tok(i, p.amountIn, 'in'), ...tok(o, p.amountOutMinimum, 'out min')]
    }
    case 'multicall': {
      const inner = Array.isArray(a[1]) ? (a[1] as string[]) : []
      for (const data of inner) {
        const d = decodeCall(data)
        if (d && d.functionName !== 'multicall') {
          const found = callAmounts(rb, chainId, to, d.functionName, d.args)
          if (found.length) return found
        }
      }
      return []
    }
    case 'depositERC20To':
      return tok(a[0], a[3], 'amount')
    case 'depositV3Now':
      return [...tok(a[2], a[4], 'in'), ...tok(a[3], a[5], 'out min')]
    default:
      return []
  }
}
