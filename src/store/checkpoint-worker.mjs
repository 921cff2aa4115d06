// Checkpoints a SQLite WAL file from its own thread and connection, so the fsync of a checkpoint never stalls
// the thread that writes (the scheduler's). Plain JavaScript: a worker thread does not load the TypeScript hooks.
// @ts-check
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'
import { startWalCheckpoints } from './wal-checkpoints.mjs'
/** @import { MessagePort } from 'node:worker_threads' */

/** What checkpointer.ts starts the thread with. @type {{ path: string, intervalMs: number }} */
const { path, intervalMs } = workerData
/** A worker thread always has a parent port. */
const port = /** @type {MessagePort} */ (parentPort)
const db = new Database(path, { fileMustExist: true })
// This connection never writes: every commit it sees through data_version is the writer's.
const checkpoints = startWalCheckpoints(db, path, { intervalMs, onError: (error) => port.postMessage({ error }) })
port.on('message', (/** @type {unknown} */ m) => {
  if (m !== 'stop') return
  checkpoints.stop()
  db.close()
  port.postMessage({ stopped: true })
  port.close()
})
