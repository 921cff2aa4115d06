// The intent journal on PostgreSQL, shared by the instances of a cluster: a lane's next owner finds the open
// intents of the previous one, and a new attempt is recorded only by the instance holding its nonce lane's lease
// (checked in the same transaction), so an instance whose lease lapsed can neither record nor send.
import type { Address } from 'viem'
import {
  OPEN_STATUSES,
  type IntentJournal,
  type IntentRow,
  type NewIntent,
  type SpendTotals,
  type StatusFields,
} from '../../chain/intent-types.ts'
import { decode, groupCommit } from '../intent-rows.ts'
import type { PgStatement, SyncPg } from './sync-pg.ts'

/** Options of the journal. */
export interface PgIntentJournalOptions {
  pg: SyncPg
  /** This instance, as named in lane_leases. */
  instanceId: string
  now?: () => number
}

const OPEN = OPEN_STATUSES.map((s) => `'${s}'`).join(',')
const INSERT_COLUMNS = [
  'id',
  'root_id',
  'run_id',
  'call_index',
  'chain_id',
  'from_addr',
  'nonce',
  'to_addr',
  'value',
  'data',
  'data_hash',
  'token_addr',
  'token_amount',
  'kind',
  'status',
  'dry_run',
  'raw_tx',
  'tx_hash',
  'gas_limit',
  'max_fee_per_gas',
  'max_priority_fee_per_gas',
  'valid_until',
  'created_at',
  'updated_at',
]
const UPDATE = `UPDATE tx_intents SET status = $2, updated_at = $3,
  block_hash = CASE WHEN $4 THEN $5 ELSE block_hash END, block_number = CASE WHEN $4 THEN $6::bigint ELSE block_number END,
  mined_at = CASE WHEN $2 = 'mined' AND mined_at IS NULL THEN $3 ELSE mined_at END, error = COALESCE($7, error),
  broadcast_count = broadcast_count + $8, broadcast_at = CASE WHEN $8 = 1 THEN $3 ELSE broadcast_at END WHERE id = $1`

/** Creates the journal (migration 0002_cluster applied by the store). */
export function createPgIntentJournal(o: PgIntentJournalOptions): IntentJournal {
  const { pg, instanceId } = o
  const now = o.now ?? Date.now
  const rows = (sql: string, params: unknown[]) => pg.query(sql, params).map(decode)
  /** Statements collected by batch(): applied in one transaction at its end. */
  let collecting: PgStatement[] | null = null
  const write = (s: PgStatement) => (collecting ? collecting.push(s) : pg.query(s.sql, s.params))

  const recordBatch = (intents: NewIntent[]): IntentRow[] => {
    if (intents.length === 0) return []
    const ids = pg
      .query<{ id: number }>("SELECT nextval('tx_intents_id_seq') AS id FROM generate_series(1, $1)", [intents.length])
      .map((r) => Number(r.id))
    const t = now()
    const params: unknown[] = []
    const values = intents.map((it, i) => {
      const row = [
        ids[i],
        it.rootId ?? ids[i],
        it.runId,
        it.callIndex,
        it.chainId,
        it.from.toLowerCase(),
        it.nonce,
        it.to.toLowerCase(),
        it.value.toString(),
        it.data,
        it.dataHash,
        it.tokenAddress?.toLowerCase() ?? null,
        it.tokenAmount?.toString() ?? null,
        it.kind,
        it.dryRun ? 'prepared' : 'signed',
        it.dryRun === true,
        it.rawTx,
        it.hash,
        it.gasLimit.toString(),
        it.maxFeePerGas.toString(),
        it.maxPriorityFeePerGas.toString(),
        it.validUntil,
        t,
        t,
      ]
      const base = params.length
      params.push(...row)
      return `(${row.map((_, c) => `$${base + c + 1}`).join(', ')})`
    })
    const lanes = new Map<string, { chain: number; wallet: string }>()
    for (const it of intents)
      if (!it.dryRun)
        lanes.set(`${it.chainId}:${it.from.toLowerCase()}`, { chain: it.chainId, wallet: it.from.toLowerCase() })
    const fence = [...lanes.values()].map((l) => ({
      sql: 'SELECT assert_lane_owner($1, $2, $3, $4)',
      params: [l.chain, l.wallet, instanceId, t],
    }))
    const out = pg.transaction([
      ...fence,
      { sql: `INSERT INTO tx_intents (${INSERT_COLUMNS.join(', ')}) VALUES ${values.join(', ')} RETURNING *`, params },
    ])
    return (out.rows as unknown[]).map(decode).sort((a, b) => a.id - b.id)
  }

  const setStatus = (id: number, status: IntentRow['status'], f: StatusFields = {}): void => {
    const setBlock = f.blockHash !== undefined || f.blockNumber !== undefined
    write({
      sql: UPDATE,
      params: [
        id,
        status,
        now(),
        setBlock,
        f.blockHash ?? null,
        f.blockNumber ?? null,
        f.error ?? null,
        f.broadcast ? 1 : 0,
      ],
    })
  }

  return {
    recordBatch,
    record: groupCommit(recordBatch),
    batch<T>(fn: () => T): T {
      if (collecting) return fn()
      collecting = []
      let result: T
      try {
        result = fn()
      } catch (err) {
        collecting = null
        throw err
      }
      const statements = collecting
      collecting = null
      if (statements.length) pg.transaction(statements)
      return result
    },
    setStatus,
    settleGroup(rootId, minedId, status, fields = {}) {
      const t = now()
      const setBlock = fields.blockHash !== undefined || fields.blockNumber !== undefined
      pg.transaction([
        {
          sql: `UPDATE tx_intents SET status = 'replaced', updated_at = $1 WHERE root_id = $2 AND id <> $3 AND status IN (${OPEN})`,
          params: [t, rootId, minedId],
        },
        {
          sql: UPDATE,
          params: [
            minedId,
            status,
            t,
            setBlock,
            fields.blockHash ?? null,
            fields.blockNumber ?? null,
            fields.error ?? null,
            fields.broadcast ? 1 : 0,
          ],
        },
      ])
    },
    closeGroup(rootId, status, error) {
      write({
        sql: `UPDATE tx_intents SET status = $1, error = $2, updated_at = $3 WHERE root_id = $4 AND status IN (${OPEN})`,
        params: [status, error, now(), rootId],
      })
    },
    get: (id) => rows('SELECT * FROM tx_intents WHERE id = $1', [id])[0],
    findByHash: (hash) => rows('SELECT * FROM tx_intents WHERE tx_hash = $1', [hash])[0],
    findNormal: (runId, callIndex) =>
      rows("SELECT * FROM tx_intents WHERE run_id = $1 AND call_index = $2 AND kind = 'normal' AND NOT dry_run", [
        runId,
        callIndex,
      ])[0],
    group: (rootId) => rows('SELECT * FROM tx_intents WHERE root_id = $1 ORDER BY id', [rootId]),
    byRun: (runId) => rows('SELECT * FROM tx_intents WHERE run_id = $1 ORDER BY id', [runId]),
    openRoots(chainId?: number, from?: Address) {
      const all = chainId === undefined || from === undefined
      return pg
        .query<{ root_id: number }>(
          `SELECT DISTINCT root_id FROM tx_intents WHERE status IN (${OPEN}) AND NOT dry_run
        ${all ? '' : 'AND chain_id = $1 AND from_addr = $2'} ORDER BY root_id`,
          all ? [] : [chainId, from.toLowerCase()],
        )
        .map((r) => Number(r.root_id))
    },
    maxOpenNonce(chainId, from) {
      const r = pg.query<{ n: number | null }>(
        `SELECT MAX(nonce) AS n FROM tx_intents WHERE chain_id = $1 AND from_addr = $2
        AND status IN (${OPEN}) AND NOT dry_run`,
        [chainId, from.toLowerCase()],
      )[0]
      return r?.n === null || r?.n === undefined ? -1 : Number(r.n)
    },
    reservedFunds(chainId, from) {
      const r = pg.query<{ s: string }>(
        `SELECT COALESCE(SUM(value + COALESCE(gas_limit, 0) * COALESCE(max_fee_per_gas, 0)), 0)::text AS s
        FROM tx_intents WHERE chain_id = $1 AND from_addr = $2 AND status IN ('signed','broadcast','unknown','dropped') AND NOT dry_run`,
        [chainId, from.toLowerCase()],
      )[0]
      return BigInt(r?.s ?? '0')
    },
    spendSince(chainId, from, sinceMs): SpendTotals {
      // Read every time: peers of this cluster record spends too (one lane owner at a time, so no race on a wallet).
      const list = pg.query<{ token: string | null; native: string; amount: string | null }>(
        `SELECT token_addr AS token,
        SUM(value + COALESCE(gas_limit, 0) * COALESCE(max_fee_per_gas, 0))::text AS native, SUM(token_amount)::text AS amount
        FROM tx_intents WHERE chain_id = $1 AND from_addr = $2 AND kind = 'normal' AND NOT dry_run AND created_at >= $3
        GROUP BY token_addr`,
        [chainId, from.toLowerCase(), sinceMs],
      )
      const totals: SpendTotals = { native: 0n, tokens: new Map() }
      for (const r of list) {
        totals.native += BigInt(r.native)
        if (r.token && r.amount !== null) totals.tokens.set(r.token, BigInt(r.amount))
      }
      return totals
    },
  }
}
