// The scheduler store's writer thread: applies encoded batches on its own connection, in the order they arrive,
// so the SQLite work of a large batch runs beside the scheduler's thread instead of on it. Plain JavaScript: a
// worker thread does not load the TypeScript hooks.
// @ts-check
import Database from 'better-sqlite3'
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import { prepareBatch } from './sqlite-batch.mjs'
import { startWalCheckpoints } from './wal-checkpoints.mjs'
/** @import { MessagePort } from 'node:worker_threads' */
/** @import { EncodedBatch } from './sqlite-batch.mjs' */

// What sqlite-writer.ts sends; each message is answered by its seq.
/** A batch to commit. @typedef {{ seq: number, flat: EncodedBatch, close?: undefined }} BatchMessage */
/**
 * The last message: commits what is queued, then closes the connection.
 * @typedef {{ seq: number, close: true }} CloseMessage
 */

/**
 * What sqlite-writer.ts starts the thread with: the shared flag is set to each answered seq.
 * @type {{ path: string, flag: SharedArrayBuffer, reply: MessagePort, checkpointMs: number | null }}
 */
const { path, flag, reply, checkpointMs } = workerData
/** A worker thread always has a parent port. */
const port = /** @type {MessagePort} */ (parentPort)
/** Most encoded values one group commit takes (bounds the transaction and its memory). */
const GROUP_VALUES = 400_000
const signal = new Int32Array(flag)
const db = new Database(path, { fileMustExist: true })
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
db.pragma('foreign_keys = ON')
db.pragma('busy_timeout = 5000')
const apply = prepareBatch(db)

// WAL checkpoints run here too (the store's only background thread), between batches, never on the scheduler's thread.
let lastBatchAt = 0
const checkpoints =
  checkpointMs === null
    ? null
    : startWalCheckpoints(db, path, { intervalMs: checkpointMs, ownWriteAt: () => lastBatchAt })

// Every answer goes out before the shared flag moves, so a thread blocked on the flag finds it on the port.
/** @param {number} seq @param {string | null} error */
const answer = (seq, error) => {
  reply.postMessage({ seq, error })
  Atomics.store(signal, 0, seq)
  Atomics.notify(signal, 0)
}
/** @param {any} e what was thrown: anything */
const message = (e) => String(e && e.message ? e.message : e)

/**
 * Group commit: batches that queued while the last transaction ran commit together, so pages that several of
 * them touch are written to the WAL once. If the group fails, each batch is retried alone, so one bad batch
 * fails only itself.
 * @param {BatchMessage[]} group at least one batch
 */
function commit(group) {
  lastBatchAt = Date.now()
  try {
    apply.immediate(group.map((m) => m.flat))
    answer(/** @type {BatchMessage} */ (group[group.length - 1]).seq, null)
  } catch (err) {
    if (group.length === 1) return answer(/** @type {BatchMessage} */ (group[0]).seq, message(err))
    for (const m of group) {
      try {
        apply.immediate([m.flat])
        answer(m.seq, null)
      } catch (e) {
        answer(m.seq, message(e))
      }
    }
  }
}

port.on('message', (/** @type {BatchMessage | CloseMessage} */ first) => {
  /** @type {BatchMessage[]} */
  const group = []
  let values = 0
  for (let m = first; m;) {
    if (m.close) {
      if (group.length) commit(group)
      checkpoints?.stop()
      db.close()
      answer(m.seq, null)
      port.close()
      return
    }
    group.push(m)
    values += m.flat.values.length
    if (values >= GROUP_VALUES) break
    m = receiveMessageOnPort(port)?.message
  }
  commit(group)
})
