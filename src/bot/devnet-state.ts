// Binds the state database to the embedded devnet instance it describes: state of a devnet that is gone is set aside.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Logger } from 'pino'
import type { PublicClient } from 'viem'

/** Archived states kept beside the live one (older ones are removed). */
export const KEEP_ARCHIVED_STATES = 3

/** What identifies a devnet instance: its chains and the hash of each genesis block (anvil stamps it at start). */
export interface DevnetIdentity {
  chains: { chainId: number; genesis: string }[]
}

/** Reads the identity of a running devnet from its chains' genesis blocks. */
export async function devnetIdentity(chains: { chainId: number; client: PublicClient }[]): Promise<DevnetIdentity> {
  const out: DevnetIdentity['chains'] = []
  for (const c of chains) out.push({ chainId: c.chainId, genesis: (await c.client.getBlock({ blockNumber: 0n })).hash })
  return { chains: out }
}

const sidecarOf = (dbPath: string) => `${dbPath}.devnet.json`

function sameIdentity(a: DevnetIdentity, b: DevnetIdentity): boolean {
  return JSON.stringify(a.chains) === JSON.stringify(b.chains)
}

/**
 * Makes `dbPath` the state of this devnet instance. The embedded devnet is new at every start, so a state written
 * against an earlier instance (its nonces, intents, and jobs a rebalance added) describes chains that no longer
 * exist: that database is moved to `<dir>/previous/` (the last KEEP_ARCHIVED_STATES are kept), never run against
 * the new chains. A state with no identity beside it is treated as foreign and set aside the same way.
 */
export function bindStateToDevnet(dbPath: string, identity: DevnetIdentity, log: Logger): void {
  const sidecar = sidecarOf(dbPath)
  if (existsSync(dbPath)) {
    const recorded = existsSync(sidecar) ? (JSON.parse(readFileSync(sidecar, 'utf8')) as DevnetIdentity) : null
    if (recorded && sameIdentity(recorded, identity)) return
    const archived = archiveState(dbPath)
    log.info(
      { archived },
      'the state belonged to an earlier devnet instance; it was set aside and a fresh state begins',
    )
  }
  mkdirSync(dirname(dbPath), { recursive: true })
  writeFileSync(sidecar, `${JSON.stringify(identity, null, 2)}\n`)
}

/** Moves the database with its WAL files and identity into `previous/`, then prunes the oldest archives. */
function archiveState(dbPath: string): string {
  const dir = join(dirname(dbPath), 'previous')
  mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const target = join(dir, `${stamp}-${basename(dbPath)}`)
  for (const suffix of ['', '-wal', '-shm', '.devnet.json']) {
    if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, target + suffix)
  }
  const archives = readdirSync(dir)
    .filter((f) => f.endsWith(basename(dbPath)))
    .sort()
  for (const old of archives.slice(0, Math.max(0, archives.length - KEEP_ARCHIVED_STATES))) {
    for (const suffix of ['', '-wal', '-shm', '.devnet.json']) rmSync(join(dir, old + suffix), { force: true })
  }
  return target
}
