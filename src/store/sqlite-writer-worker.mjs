// The scheduler store's writer thread: applies encoded batches on its own connection, in the order they arrive,
// so the SQLite work of a large batch runs beside the scheduler's thread instead of on it. Plain JavaScript: a
// worker thread does not load the TypeScript hooks.
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'
import { prepareBatch } from './sqlite-batch.mjs'

const { path, flag, reply, backgroundCheckpoints } = workerData
const signal = new Int32Array(flag)
const db = new Database(path, { fileMustExist: true })
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
db.pragma('foreign_keys = ON')
db.pragma('busy_timeout = 5000')
// The checkpoint thread checkpoints; this connection's automatic checkpoints would fsync on every 1,000 pages.
if (backgroundCheckpoints) db.pragma('wal_autocheckpoint = 0')
const apply = prepareBatch(db)

// Every answer goes out before the shared flag moves, so a thread blocked on the flag finds it on the port.
const answer = (seq, error) => {
  reply.postMessage({ seq, error })
  Atomics.store(signal, 0, seq)
  Atomics.notify(signal, 0)
}
parentPort.on('message', (m) => {
  if (m.close) {
    if (process.env.WDEBUG) console.error('writer busy ms', globalThis.__busy, 'batches', globalThis.__n, 'values', globalThis.__v)
    db.close()
    answer(m.seq, null)
    parentPort.close()
    return
  }
  let error = null
  const t0 = performance.now()
  try {
    apply.immediate(m.flat)
    globalThis.__busy = (globalThis.__busy ?? 0) + performance.now() - t0
    globalThis.__n = (globalThis.__n ?? 0) + 1
    globalThis.__v = (globalThis.__v ?? 0) + m.flat.length
  } catch (err) {
    error = String(err && err.message ? err.message : err)
  }
  answer(m.seq, error)
})
