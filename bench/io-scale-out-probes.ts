// What the I/O-bound scale-out bench reads back from either store once a configuration has run: succeeded runs, the
// exactly-once check (one succeeded run per job, nothing left open) and which instance holds which job groups.
import Database from 'better-sqlite3'
import pg from 'pg'

/** Runs counted by status, and the jobs with their number of succeeded runs, from either store. */
export interface Probe {
  succeeded(): Promise<number>
  /** Throws unless every job has exactly one succeeded run and nothing is left unfinished; returns rerun job ids. */
  verify(): Promise<Set<string>>
  /** Job groups held per instance (cluster mode), e.g. "io-0 200, io-1 200". */
  groups(): Promise<string>
  close(): Promise<void>
}

/** A probe reading the SQLite instance's state file (opened read-only for each query). */
export function sqliteProbe(path: string, jobs: number): Probe {
  const q = <T>(sql: string) => {
    const db = new Database(path, { readonly: true, fileMustExist: true })
    try {
      return db.prepare(sql).all() as T[]
    } finally {
      db.close()
    }
  }
  return {
    succeeded: async () => {
      try {
        return q<{ c: number }>("SELECT COUNT(*) AS c FROM runs WHERE status = 'succeeded' AND job_id LIKE 'io-%'")[0]!
          .c
      } catch {
        return 0
      }
    },
    verify: async () => verifyRows(jobs, q(VERIFY_SQL), q(RERUN_SQL)),
    groups: async () => 'one instance',
    close: async () => undefined,
  }
}

/** A probe over its own connection to the cluster's database. */
export async function pgProbe(url: string, jobs: number): Promise<Probe> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const q = async <T>(sql: string) => (await client.query(sql)).rows as T[]
  return {
    succeeded: async () =>
      Number(
        (
          await q<{ c: number }>(
            "SELECT COUNT(*)::int AS c FROM runs WHERE status = 'succeeded' AND job_id LIKE 'io-%'",
          )
        )[0]!.c,
      ),
    verify: async () => verifyRows(jobs, await q(VERIFY_SQL), await q(RERUN_SQL)),
    groups: async () =>
      (
        await q<{ owner: string; n: number }>(
          'SELECT owner, COUNT(*)::int AS n FROM job_groups GROUP BY owner ORDER BY 1',
        )
      )
        .map((r) => `${r.owner} ${r.n}`)
        .join(', '),
    close: () => client.end(),
  }
}

const VERIFY_SQL = `SELECT job_id, SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS ok,
  SUM(CASE WHEN status IN ('pending','delayed','held','running','retrying','failed','needs_attention') THEN 1 ELSE 0 END) AS open
  FROM runs WHERE job_id LIKE 'io-%' GROUP BY job_id`
const RERUN_SQL = `SELECT DISTINCT job_id FROM runs WHERE job_id LIKE 'io-%' AND status = 'interrupted'`

function verifyRows(
  jobs: number,
  rows: { job_id: string; ok: number; open: number }[],
  reruns: { job_id: string }[],
): Set<string> {
  const bad = rows.filter((r) => Number(r.ok) !== 1 || Number(r.open) !== 0)
  if (rows.length !== jobs || bad.length)
    throw new Error(
      `exactly-once violated: ${rows.length} of ${jobs} jobs have runs; ${bad.length} jobs without exactly one succeeded run ` +
        `(e.g. ${JSON.stringify(bad.slice(0, 3))})`,
    )
  return new Set(reruns.map((r) => r.job_id))
}
