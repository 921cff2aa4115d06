// Checkpoints a SQLite WAL file from its own thread and connection, so the fsync of a checkpoint never stalls
// the thread that writes (the scheduler's). Plain JavaScript: a worker thread does not load the TypeScript hooks.
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'

const { path, intervalMs } = workerData
const db = new Database(path, { fileMustExist: true })
// PASSIVE never waits for readers or the writer: it copies what it can and tries again next time.
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message ? err.message : err) })
  }
}
const timer = setInterval(checkpoint, intervalMs)
parentPort.on('message', (m) => {
  if (m !== 'stop') return
  clearInterval(timer)
  checkpoint()
  db.close()
  parentPort.postMessage({ stopped: true })
  parentPort.close()
})
