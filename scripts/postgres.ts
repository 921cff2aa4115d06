// A throwaway PostgreSQL server for tests and benches: initdb into a temp dir, listen on 127.0.0.1 on a free port,
// always stopped and deleted; or an existing server from TEST_PG_URL. Binaries from Debian's `postgresql` package.
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppError } from '../src/errors/app-error.ts'

/** A running server: `url` for `pg`, `createDatabase` for an isolated database per test file. */
export interface PostgresInstance {
  url: string
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): string
  stop(): void
}

/** Where the PostgreSQL server binaries are, or null when the package is not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : null
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** initdb refuses to run as root: as root, the server runs as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
  return { uid, gid }
}

/** Starts a server (or wraps TEST_PG_URL); throws an AppError saying what to install when it cannot. */
export async function startPostgres(): Promise<PostgresInstance> {
  const given = process.env.TEST_PG_URL
  const psql = (url: string, sql: string) => {
    const bin = postgresBinDir()
    const r = spawnSync(bin ? join(bin, 'psql') : 'psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', sql], {
      encoding: 'utf8',
    })
    if (r.status !== 0) throw new AppError('PG_SQL', `psql failed: ${r.stderr.slice(0, 500)}`)
  }
  const withDb = (url: string, name: string) => {
    const u = new URL(url)
    u.pathname = `/${name}`
    return u.toString()
  }
  if (given) {
    return {
      url: given,
      createDatabase: (name) => {
        psql(given, `DROP DATABASE IF EXISTS ${name}; CREATE DATABASE ${name}`)
        return withDb(given, name)
      },
      stop: () => {},
    }
  }
  const bin = postgresBinDir()
  if (!bin)
    throw new AppError('PG_MISSING', 'PostgreSQL server binaries not found under /usr/lib/postgresql', {
      hint: 'apt-get install postgresql (see .ci/apt-packages), or set TEST_PG_URL',
    })
  const dir = mkdtempSync(join(tmpdir(), 'pg-test-'))
  const as = runAs()
  if (as) chownSync(dir, as.uid, as.gid)
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(join(bin, cmd), args, { encoding: 'utf8', ...(as ?? {}), cwd: dir })
    if (r.status !== 0) throw new AppError('PG_START', `${cmd} failed: ${(r.stderr || r.stdout).slice(0, 800)}`)
  }
  const data = join(dir, 'data')
  const port = await freePort()
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
    // fsync off: a throwaway test server; durability here is not what the tests measure.
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-k ${dir} -p ${port} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ])
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  let stopped = false
  return {
    url,
    createDatabase(name) {
      psql(url, `DROP DATABASE IF EXISTS ${name}`)
      psql(url, `CREATE DATABASE ${name}`)
      return withDb(url, name)
    },
    stop() {
      if (stopped) return
      stopped = true
      spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...(as ?? {}), cwd: dir })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
