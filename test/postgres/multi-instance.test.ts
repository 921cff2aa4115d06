// Three real `bot run` processes on one PostgreSQL database and one anvil chain, running the same plan of 1,000
// transfer jobs: every job runs once and every transfer is on chain once. One instance loses its job groups while
// its runs execute and it keeps its nonce lanes (as when its event loop stalls past a group lease but not a lane
// lease): peers recover those runs while it still sends them. Another is SIGKILLed mid-run and its job groups,
// runs and nonce lanes are taken over. Every job still finishes, exactly once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, http, keccak256, toHex, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, describe, expect, it } from 'vitest'
import { anvilRpc, startAnvil, type AnvilInstance } from '../../src/devnet/anvil.ts'
import { postgresBinDir, startPostgres } from '../../scripts/postgres.ts'
import { createSyncPg, type SyncPg } from '../../src/store/postgres/sync-pg.ts'
import { spawnBot, waitForOutput } from '../e2e/run-bot.ts'

const available = process.env.TEST_PG_URL !== undefined || postgresBinDir() !== null
if (!available && process.env.CI) throw new Error('PostgreSQL is missing in CI: .ci/run installs it with apt')
const server = available ? await startPostgres() : undefined
afterAll(() => server?.stop())

const JOBS = 1_000
const SENDERS = 12
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until(what: string, cond: () => boolean, ms: number, explain: () => string): Promise<void> {
  const end = Date.now() + ms
  const ok = () => {
    try {
      return cond()
    } catch {
      return false
    }
  }
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}\n${explain()}`)
    await sleep(200)
  }
}

describe.skipIf(!server)('three bot instances on one PostgreSQL database', () => {
  let anvil: AnvilInstance | undefined
  const dir = mkdtempSync(join(tmpdir(), 'bot-cluster-'))
  afterAll(async () => {
    await anvil?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs 1,000 jobs once each, survives a SIGKILL of one instance, and sends every transfer once', async () => {
    anvil = await startAnvil({ chainId: 31337, automine: false, blockTime: 1 })
    const url = server!.createDatabase('cluster_bots')
    // Test-only keys derived from a label; funded on this anvil only.
    const keys = Array.from({ length: SENDERS + 1 }, (_, i) => keccak256(toHex(`airdrops cluster test wallet ${i}`)))
    const addrs = keys.map((k) => privateKeyToAccount(k).address)
    for (const a of addrs) await anvilRpc(anvil.rpcUrl, 'anvil_setBalance', [a, toHex(10n ** 21n)])
    const sink = addrs[0]!
    const at = new Date(Date.now() + 25_000).toISOString()
    const jobs = Array.from({ length: JOBS }, (_, i) => ({
      id: `pay-${i}`,
      taskType: 'send_calls',
      trigger: { type: 'date', at },
      misfireGraceTime: 600_000,
      args: { wallet: addrs[1 + (i % SENDERS)], calls: [{ chainId: 31337, to: sink, value: String(1_000_000 + i) }] },
    }))
    const env: Record<string, string> = { CLUSTER_PG_URL: url }
    keys.forEach((k, i) => {
      env[`CLUSTER_KEY_${i}`] = k
    })
    const bots = ['b0', 'b1', 'b2'].map((name) => {
      const config = join(dir, `${name}.json`)
      writeFileSync(
        config,
        JSON.stringify({
          devnet: { embedded: false },
          store: {
            kind: 'postgres',
            url: '${CLUSTER_PG_URL}',
            path: join(dir, name, 'state.db'),
            cluster: { instanceId: name, leaseMs: 3_000, heartbeatMs: 500 },
          },
          server: { enabled: false },
          scheduler: { maxConcurrentJobs: 20 },
          chains: [
            {
              id: 31337,
              name: 'anvil',
              rpcUrls: [anvil!.rpcUrl],
              confirmations: 1,
              caps: { maxValuePerTx: '0.01', dailyNative: '100' },
            },
          ],
          wallets: keys.map((_, i) => ({ name: `w${i}`, privateKeyEnv: `CLUSTER_KEY_${i}` })),
          jobs,
        }),
      )
      return { name, child: spawnBot(['run', '--config', config], env) }
    })
    const pg = createSyncPg(url)
    const explain = () => diagnose(pg, bots)
    try {
      await Promise.all(bots.map((b) => waitForOutput(b.child, /starting the scheduler/, 60_000)))
      // Groups are spread before the fire time: one per sending wallet (plus upkeep jobs), a fair share each.
      await until('groups spread over the three instances', () => owners(pg).size === 3, 60_000, explain)

      // b2's group leases end while its runs execute; it learns so at its next heartbeat and sends meanwhile.
      await until('b2 executing runs', () => runningOn(pg, 'b2') > 0, 90_000, explain)
      // Rows b2's write batch holds right now are skipped, as a peer's takeover skips them (waiting could deadlock).
      let lapsed = 0
      for (let i = 0; i < 100 && lapsed === 0; i++) {
        if (i > 0) await sleep(20)
        lapsed = pg.query(`UPDATE job_groups SET owner = NULL, lease_until = 0 WHERE grp IN
          (SELECT grp FROM job_groups WHERE owner = 'b2' FOR UPDATE SKIP LOCKED) RETURNING grp`).length
      }
      expect(lapsed).toBeGreaterThan(0)

      // Mid-run: SIGKILL an instance while it has runs executing (b0 unless a stall already moved its groups).
      const executing = () => bots.find((b) => runningOn(pg, b.name) > 0)
      await until(
        'an instance executing runs after others succeeded',
        () => succeeded(pg) >= 200 && executing() !== undefined,
        90_000,
        explain,
      )
      const victim = executing()!
      victim.child.kill('SIGKILL')
      const killedWith = runningOn(pg, victim.name)
      expect(killedWith).toBeGreaterThan(0)
      const doneAtKill = succeeded(pg)

      await until('every job succeeded', () => succeeded(pg) === JOBS, 120_000, explain)
      await sleep(3_000)
      // Exactly once in the database: one succeeded run per job, none left unfinished.
      const perJob = pg.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM runs WHERE job_id LIKE 'pay-%' AND status = 'succeeded' GROUP BY job_id`,
      )
      expect(perJob.length).toBe(JOBS)
      expect(perJob.every((r) => r.n === 1)).toBe(true)
      expect(
        pg.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM runs WHERE job_id LIKE 'pay-%'
        AND status IN ('pending','running','retrying','delayed','held','failed','needs_attention')`)[0]!.n,
      ).toBe(0)
      // The victim's executing runs were recovered by a survivor through the recovery policy.
      const recovered =
        pg.query<{ n: number }>(
          "SELECT COUNT(*)::int AS n FROM runs WHERE status = 'interrupted' AND recovery IS NOT NULL AND recovery <> 'pending'",
        )[0]!.n + pg.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM runs WHERE recovery = 'reconciled'")[0]!.n
      expect(recovered).toBeGreaterThan(0)
      console.log(
        `cluster test: ${victim.name} killed with ${killedWith} runs executing after ${doneAtKill}/${JOBS} jobs succeeded; ` +
          `${recovered} runs recovered by survivors`,
      )
      // The victim holds nothing any more: its groups and lanes moved.
      expect(owners(pg).has(victim.name)).toBe(false)
      expect(
        pg.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM lane_leases WHERE owner = $1 AND lease_until > $2', [
          victim.name,
          Date.now(),
        ])[0]!.n,
      ).toBe(0)
      expect(
        pg.query<{ n: number }>('SELECT COUNT(DISTINCT owner)::int AS n FROM lane_leases WHERE owner <> $1', [
          victim.name,
        ])[0]!.n,
      ).toBeGreaterThan(0)

      // Exactly once on chain: each job's transfer (its value is unique) was mined once, and nothing else was sent.
      const client = createPublicClient({ transport: http(anvil.rpcUrl) })
      const head = await client.getBlockNumber()
      const values = new Map<bigint, number>()
      const senders = new Set(addrs.slice(1).map((a) => a.toLowerCase()))
      let sent = 0
      for (let n = 0n; n <= head; n++) {
        const block = await client.getBlock({ blockNumber: n, includeTransactions: true })
        for (const tx of block.transactions) {
          if (!senders.has(tx.from.toLowerCase())) continue
          sent++
          values.set(tx.value, (values.get(tx.value) ?? 0) + 1)
        }
      }
      expect(sent).toBe(JOBS)
      expect(values.size).toBe(JOBS)
      for (let i = 0; i < JOBS; i++) expect(values.get(BigInt(1_000_000 + i))).toBe(1)
      let nonces = 0
      for (const a of addrs.slice(1)) nonces += await client.getTransactionCount({ address: a as Address })
      expect(nonces).toBe(JOBS)
      const intents = pg.query<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM tx_intents WHERE kind = 'normal' AND NOT dry_run",
      )[0]!.n
      expect(intents).toBe(JOBS)
    } finally {
      for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGTERM')
      await Promise.all(
        bots.map((b) =>
          b.child.exitCode !== null || b.child.signalCode !== null
            ? Promise.resolve()
            : new Promise((r) => b.child.once('exit', r)),
        ),
      )
      pg.close()
    }
  }, 300_000)
})

/**
 * What a stuck cluster looks like: each bot's last warnings and errors, then unfinished jobs' latest runs, their
 * groups, lanes and intents last (a CI log may keep only the tail of a failure).
 */
function diagnose(pg: SyncPg, bots: { name: string; child: ReturnType<typeof spawnBot> }[]): string {
  const q = (sql: string, p: unknown[] = []) => JSON.stringify(pg.query(sql, p))
  const logs = bots.map(
    (b) =>
      `--- ${b.name} (exit ${b.child.exitCode ?? b.child.signalCode}), its last warnings and errors:\n${(
        b.child.output.stdout + b.child.output.stderr
      )
        .split('\n')
        .filter((l) => !l.includes('"level":"info"'))
        .slice(-25)
        .join('\n')}`,
  )
  return [
    ...logs,
    `jobs succeeded: ${succeeded(pg)}`,
    `runs by status: ${q("SELECT status, recovery, COUNT(*)::int AS n FROM runs WHERE job_id LIKE 'pay-%' GROUP BY 1, 2")}`,
    `unfinished jobs (latest run): ${q(`SELECT DISTINCT ON (job_id) job_id, id, status, recovery, reason, error FROM runs
      WHERE job_id LIKE 'pay-%' AND job_id NOT IN (SELECT job_id FROM runs WHERE status = 'succeeded') ORDER BY job_id, id DESC LIMIT 10`)}`,
    `jobs with no run: ${q(`SELECT COUNT(*)::int AS n FROM jobs WHERE id LIKE 'pay-%' AND id NOT IN (SELECT job_id FROM runs)`)}`,
    `groups: ${q('SELECT owner, COUNT(*)::int AS n, MIN(lease_until - $1::bigint)::bigint AS min_left FROM job_groups GROUP BY owner', [Date.now()])}`,
    `lanes: ${q('SELECT * FROM lane_leases')}`,
    `intents: ${q('SELECT status, COUNT(*)::int AS n FROM tx_intents GROUP BY status')}`,
  ].join('\n')
}

function succeeded(pg: SyncPg): number {
  return pg.query<{ n: number }>(
    "SELECT COUNT(DISTINCT job_id)::int AS n FROM runs WHERE job_id LIKE 'pay-%' AND status = 'succeeded'",
  )[0]!.n
}

function owners(pg: SyncPg): Set<string> {
  return new Set(
    pg
      .query<{ owner: string }>('SELECT DISTINCT owner FROM job_groups WHERE owner IS NOT NULL AND lease_until > $1', [
        Date.now(),
      ])
      .map((r) => r.owner),
  )
}

/** Runs executing right now on an instance (its groups' jobs). */
function runningOn(pg: SyncPg, instance: string): number {
  return pg.query<{ n: number }>(
    `SELECT COUNT(*)::int AS n FROM runs r JOIN job_groups g ON g.job_ids::jsonb ? r.job_id
    WHERE g.owner = $1 AND r.status IN ('running', 'retrying')`,
    [instance],
  )[0]!.n
}
