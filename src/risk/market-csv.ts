// Readers for recorded market series: 1-minute klines and per-block base-fee traces (CSV with a header row).
import { readFileSync } from 'node:fs'
import { ValidationError } from '../errors/validation-error.ts'
import type { FeeSample } from './gas-oracle.ts'

/** One price bar: `time` is the bar's open time (unix s), `close` its closing price. */
export interface PriceBar {
  time: number
  close: number
}

/** A base-fee sample from a trace; the timestamp is always known. */
export type TraceSample = FeeSample & { timestamp: number }

function table(path: string, required: string[]): { rows: string[][]; col: Record<string, number> } {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
  const header = (lines[0] ?? '').split(',').map((h) => h.trim())
  const col: Record<string, number> = {}
  const missing = required.filter((name) => !header.includes(name))
  if (missing.length > 0) {
    throw new ValidationError(
      `CSV ${path}`,
      missing.map((m) => ({ path: m, message: 'column missing from header' })),
      `the header must contain ${required.join(',')}`,
    )
  }
  for (const name of required) col[name] = header.indexOf(name)
  return { rows: lines.slice(1).map((l) => l.split(',')), col }
}

/** Reads a kline CSV with `open_time` and `close` columns, in file order. */
export function readPriceBars(path: string): PriceBar[] {
  const { rows, col } = table(path, ['open_time', 'close'])
  return rows.map((r, i) => {
    const time = Number(r[col.open_time!])
    const close = Number(r[col.close!])
    if (!Number.isFinite(time) || !(close > 0)) {
      throw new ValidationError(`CSV ${path}`, [{ path: `row ${i + 2}`, message: 'open_time/close not numeric' }])
    }
    return { time, close }
  })
}

/** Reads a base-fee trace with `block_number,timestamp,base_fee_wei` columns; wei stays an exact bigint. */
export function readBaseFeeTrace(path: string): TraceSample[] {
  const { rows, col } = table(path, ['block_number', 'timestamp', 'base_fee_wei'])
  return rows.map((r, i) => {
    try {
      return {
        blockNumber: BigInt(r[col.block_number!]!.trim()),
        timestamp: Number(r[col.timestamp!]),
        baseFeePerGas: BigInt(r[col.base_fee_wei!]!.trim()),
      }
    } catch (cause) {
      throw new ValidationError(`CSV ${path}`, [
        { path: `row ${i + 2}`, message: `not an integer row (${String(cause)})` },
      ])
    }
  })
}
