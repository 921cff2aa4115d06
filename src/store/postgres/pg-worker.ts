// The PostgreSQL side of the synchronous bridge: one connection, one request at a time, each answered on the
// reply port and signalled through the shared flag the calling thread waits on.
import pg from 'pg'
import { workerData, parentPort, type MessagePort } from 'node:worker_threads'
import type { PgEnvelope, PgReply, PgRequest } from './sync-pg.ts'

// Epoch milliseconds are BIGINT; they fit in a double, so they come back as numbers, not strings.
pg.types.setTypeParser(20, (v) => Number(v))

const { url, flag, reply } = workerData as { url: string; flag: SharedArrayBuffer; reply: MessagePort }
const signal = new Int32Array(flag)
const client = new pg.Client({ connectionString: url, application_name: 'airdrops-bot' })
const connected = client.connect()
// A dropped connection must fail the next call, not crash the thread.
client.on('error', () => undefined)

async function handle(m: PgRequest): Promise<PgReply> {
  await connected
  if (m.op === 'query') return { ok: true, rows: (await client.query(m.sql, m.params as unknown[])).rows, rowCount: 0 }
  if (m.op === 'close') {
    await client.end()
    return { ok: true, rows: [], rowCount: 0 }
  }
  await client.query(m.isolation === 'serializable' ? 'BEGIN ISOLATION LEVEL SERIALIZABLE' : 'BEGIN')
  try {
    let rowCount = 0
    let rows: unknown[] = []
    for (const s of m.statements) {
      // A parameterless multi-statement string (a migration) answers with one result per statement.
      const res = (await client.query(s.sql, s.params as unknown[])) as pg.QueryResult | pg.QueryResult[]
      for (const r of Array.isArray(res) ? res : [res]) {
        rowCount += r.rowCount ?? 0
        if (r.rows.length) rows = r.rows
      }
    }
    await client.query('COMMIT')
    return { ok: true, rows, rowCount }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  }
}

// One request at a time, in order: a request sent after a caller gave up on an earlier one must not interleave
// its statements with that one's transaction on the shared connection.
// Each step catches its own failures, so one request's trouble never stops the queue for the ones after it.
let queue: Promise<void> = Promise.resolve()
const failure = (err: unknown): PgReply => ({
  ok: false,
  message: (err as Error).message,
  code: (err as { code?: string }).code ?? null,
})

function answer(seq: number, r: PgReply): void {
  try {
    reply.postMessage({ ...r, seq })
  } catch (err) {
    reply.postMessage({ ...failure(err), seq })
  }
  Atomics.store(signal, 0, seq)
  Atomics.notify(signal, 0)
}

parentPort!.on('message', (m: PgEnvelope<PgRequest>) => {
  queue = queue.then(async () => {
    answer(m.seq, await handle(m).catch(failure))
    if (m.op === 'close') parentPort!.close()
  })
})
