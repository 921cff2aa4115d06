// Types of sqlite-batch.mjs (plain JavaScript so the writer thread can load it).
import type { Database, Transaction } from 'better-sqlite3'
import type { StoreOp } from '../scheduler/store/store-port.ts'

/** A batch of store ops: one op code per op, and all their values in one flat array of primitives. */
export interface EncodedBatch {
  codes: number[]
  values: unknown[]
}
/** Encodes store ops for `prepareBatch`'s apply. */
export function encodeOps(ops: readonly StoreOp[]): EncodedBatch
/** Prepares the statements on `db`; the returned function applies encoded batches, in order, in one transaction. */
export function prepareBatch(db: Database): Transaction<(batches: readonly EncodedBatch[]) => void>
/** SQL condition of a run row that is not finished (active, or interrupted with its recovery pending). */
export const UNFINISHED_RUN_SQL: string
/** scheduler_state key of the mark below which every run is finished. */
export const UNFINISHED_FROM_KEY: string
