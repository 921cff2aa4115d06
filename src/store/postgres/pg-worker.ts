// The PostgreSQL side of the synchronous bridge: one connection, one request at a time, each answered on the
// reply port and signalled through the shared flag the calling thread waits on.
import pg from 'pg'
import { workerData, parentPort, type MessagePort } from 'node:worker_threads'
import { commitGroup, groupable, MAX_GROUP, runStatements, type GroupableTx } from './pg-group-commit.ts'
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
  // One statement with parameters is one command (the extended protocol takes no more) and so its own transaction:
  // it needs no BEGIN and COMMIT, which would triple its round trips.
  const only = m.statements.length === 1 ? m.statements[0]! : null
  if (only && (only.params?.length ?? 0) > 0 && m.isolation === undefined) {
    return { ok: true, ...(await runStatements(client, m.statements)) }
  }
  await client.query(m.isolation === 'serializable' ? 'BEGIN ISOLATION LEVEL SERIALIZABLE' : 'BEGIN')
  try {
    const { rows, rowCount } = await runStatements(client, m.statements)
    await client.query('COMMIT')
    return { ok: true, rows, rowCount }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  }
}

// One request at a time, in order: a request sent after a caller gave up on an earlier one must not interleave
// its statements with that one's transaction on the shared connection. Submitted transactions waiting next to
// each other commit as one group (pg-group-commit.ts).
// Each step catches its own failures, so one request's trouble never stops the queue for the ones after it.
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

const waiting: PgEnvelope<PgRequest>[] = []
let pumping = false

async function pump(): Promise<void> {
  pumping = true
  try {
    await pumpWaiting()
  } finally {
    pumping = false
  }
}

async function pumpWaiting(): Promise<void> {
  while (waiting.length) {
    const m = waiting.shift()!
    if (groupable(m) && groupable(waiting[0])) {
      const members = [m]
      while (members.length < MAX_GROUP && groupable(waiting[0])) members.push(waiting.shift() as GroupableTx)
      await connected.catch(() => undefined)
      const replies = await commitGroup(client, members, (one) => handle(one).catch(failure))
      members.forEach((one, i) => answer(one.seq, replies[i]!))
      continue
    }
    answer(m.seq, await handle(m).catch(failure))
    if (m.op === 'close') parentPort!.close()
  }
}

parentPort!.on('message', (m: PgEnvelope<PgRequest>) => {
  waiting.push(m)
  if (!pumping) void pump()
})
