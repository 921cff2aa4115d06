// The WAL checkpoint policy of the store's background threads (the writer thread, or the checkpoint thread when
// there is no writer thread), in one place. Plain JavaScript: worker threads do not load the TypeScript hooks.
// @ts-check
/** @import { Database } from 'better-sqlite3' */
import { statSync } from 'node:fs'

/**
 * Writes must pause this long before a checkpoint runs. Each checkpoint fsyncs, and on this file system a commit
 * on another connection waits behind that fsync (measured: 2-8 ms stalls of the scheduler's 2-row commits).
 */
const QUIET_MS = 200
/** Past this WAL size a checkpoint runs even while writes continue. */
const BIG_WAL_BYTES = 64 * 2 ** 20

/**
 * Checkpoints `db` (a connection on the WAL database at `path`) at most every `intervalMs`, once no connection has
 * committed for QUIET_MS or the WAL is big. Other connections' commits are seen through SQLite's data_version;
 * `ownWriteAt` reports this connection's last commit (data_version does not count them). PASSIVE never waits for
 * readers: it copies what it can, the rest next time. `stop()` runs a last checkpoint.
 * @param {Database} db
 * @param {string} path
 * @param {{ intervalMs: number, ownWriteAt?: () => number, onError?: (message: string) => void }} options
 * @returns {{ stop(): void }}
 */
export function startWalCheckpoints(db, path, { intervalMs, ownWriteAt = () => 0, onError = () => undefined }) {
  // This connection's automatic checkpoints would run inside its commits; the timer does them instead.
  db.pragma('wal_autocheckpoint = 0')
  const dataVersion = db.prepare('PRAGMA data_version').pluck()
  let seenVersion = dataVersion.get()
  let otherWriteAt = 0
  let checkpointAt = Date.now()
  const walSize = () => {
    try {
      return statSync(`${path}-wal`).size
    } catch {
      return 0
    }
  }
  const checkpoint = () => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)')
    } catch (/** @type {any} */ err) {
      onError(String(err && err.message ? err.message : err))
    }
  }
  const tick = () => {
    const now = Date.now()
    const version = dataVersion.get()
    if (version !== seenVersion) {
      seenVersion = version
      otherWriteAt = now
    }
    if (now - checkpointAt < intervalMs) return
    if (now - Math.max(ownWriteAt(), otherWriteAt) >= QUIET_MS || walSize() >= BIG_WAL_BYTES) {
      checkpoint()
      checkpointAt = now
    }
  }
  const timer = setInterval(tick, Math.min(QUIET_MS, intervalMs))
  return {
    stop() {
      clearInterval(timer)
      checkpoint()
    },
  }
}
