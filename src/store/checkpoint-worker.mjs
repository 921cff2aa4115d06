// Checkpoints a SQLite WAL file from its own thread and connection, so the fsync of a checkpoint never stalls
// the thread that writes (the scheduler's). Plain JavaScript: a worker thread does not load the TypeScript hooks.
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'
import { startWalCheckpoints } from './wal-checkpoints.mjs'

const { path, intervalMs } = workerData
const db = new Database(path, { fileMustExist: true })
// This connection never writes: every commit it sees through data_version is the writer's.
const checkpoints = startWalCheckpoints(db, path, { intervalMs, onError: (error) => parentPort.postMessage({ error }) })
parentPort.on('message', (m) => {
  if (m !== 'stop') return
  checkpoints.stop()
  db.close()
  parentPort.postMessage({ stopped: true })
  parentPort.close()
})
