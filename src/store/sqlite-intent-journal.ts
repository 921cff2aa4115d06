// The intent journal on SQLite: durable record of every signed transaction, written (fsync'd) before it is broadcast.
import type { Address } from 'viem'
import type { Db } from './database.ts'
import {
  OPEN_STATUSES,
  type IntentJournal,
  type IntentJournalOptions,
  type IntentRow,
  type IntentStatus,
  type NewIntent,
  type SpendTotals,
  type StatusFields,
} from '../chain/intent-types.ts'
import { decode, decodeOpt, groupCommit } from './intent-rows.ts'

const COLUMNS = `root_id, run_id, call_index, chain_id, from_addr, nonce, to_addr, value, data, data_hash, token_addr,
  token_amount, kind, status, dry_run, raw_tx, tx_hash, gas_limit, max_fee_per_gas, max_priority_fee_per_gas,
  valid_until, created_at, updated_at`

/** Creates the journal over an open database (migration 0002 applied by `openDatabase`). */
export function createIntentJournal(db: Db, options: IntentJournalOptions = {}): IntentJournal {
  const now = options.now ?? Date.now
  const insert = db.prepare(`INSERT INTO tx_intents (${COLUMNS}) VALUES
    (@root_id, @run_id, @call_index, @chain_id, @from_addr, @nonce, @to_addr, @value, @data, @data_hash, @token_addr,
     @token_amount, @kind, @status, @dry_run, @raw_tx, @tx_hash, @gas_limit, @max_fee, @max_prio, @valid_until,
     @now, @now)`)
  const setRoot = db.prepare('UPDATE tx_intents SET root_id = id WHERE id = ?')
  const selectById = db.prepare('SELECT * FROM tx_intents WHERE id = ?')
  const selectByHash = db.prepare('SELECT * FROM tx_intents WHERE tx_hash = ?')
  const selectNormal = db.prepare(
    "SELECT * FROM tx_intents WHERE run_id = ? AND call_index = ? AND kind = 'normal' AND dry_run = 0",
  )
  const selectGroup = db.prepare('SELECT * FROM tx_intents WHERE root_id = ? ORDER BY id')
  const selectRun = db.prepare('SELECT * FROM tx_intents WHERE run_id = ? ORDER BY id')
  const openList = OPEN_STATUSES.map((s) => `'${s}'`).join(',')
  const openAll = db.prepare(`SELECT DISTINCT root_id FROM tx_intents WHERE status IN (${openList}) AND dry_run = 0
    ORDER BY root_id`)
  const openWallet = db.prepare(`SELECT DISTINCT root_id FROM tx_intents WHERE chain_id = ? AND from_addr = ?
    AND status IN (${openList}) AND dry_run = 0 ORDER BY root_id`)
  const maxNonce = db.prepare(`SELECT MAX(nonce) AS n FROM tx_intents WHERE chain_id = ? AND from_addr = ?
    AND status IN (${openList}) AND dry_run = 0`)
  const reserved = db.prepare(`SELECT value, gas_limit, max_fee_per_gas FROM tx_intents WHERE chain_id = ?
    AND from_addr = ? AND status IN ('signed','broadcast','unknown','dropped') AND dry_run = 0`)
  const spend =
    db.prepare(`SELECT value, gas_limit, max_fee_per_gas, token_addr, token_amount FROM tx_intents WHERE chain_id = ? AND from_addr = ?
    AND kind = 'normal' AND dry_run = 0 AND created_at >= ?`)
  const update = db.prepare(`UPDATE tx_intents SET status = @status, updated_at = @now,
    block_hash = CASE WHEN @set_block THEN @block_hash ELSE block_hash END,
    block_number = CASE WHEN @set_block THEN @block_number ELSE block_number END,
    mined_at = CASE WHEN @status = 'mined' AND mined_at IS NULL THEN @now ELSE mined_at END,
    error = COALESCE(@error, error),
    broadcast_count = broadcast_count + @bc,
    broadcast_at = CASE WHEN @bc = 1 THEN @now ELSE broadcast_at END
    WHERE id = @id`)
  // Settling a group is one statement (atomic on its own, no explicit transaction): the mined row takes the
  // status and block, every other open row of the group becomes 'replaced'.
  const settle = db.prepare(`UPDATE tx_intents SET updated_at = @now,
    status = CASE WHEN id = @id THEN @status ELSE 'replaced' END,
    block_hash = CASE WHEN id = @id AND @set_block THEN @block_hash ELSE block_hash END,
    block_number = CASE WHEN id = @id AND @set_block THEN @block_number ELSE block_number END,
    mined_at = CASE WHEN id = @id AND @status = 'mined' AND mined_at IS NULL THEN @now ELSE mined_at END,
    error = CASE WHEN id = @id THEN COALESCE(@error, error) ELSE error END,
    broadcast_count = broadcast_count + CASE WHEN id = @id THEN @bc ELSE 0 END,
    broadcast_at = CASE WHEN id = @id AND @bc = 1 THEN @now ELSE broadcast_at END
    WHERE root_id = @root AND (id = @id OR status IN (${openList}))`)
  const closeOpen = db.prepare(`UPDATE tx_intents SET status = ?, error = ?, updated_at = ?
    WHERE root_id = ? AND status IN (${openList})`)

  const writeBatch = (intents: NewIntent[]): IntentRow[] => {
    const t = now()
    const rows: IntentRow[] = []
    for (const it of intents) {
      const info = insert.run({
        root_id: it.rootId ?? null,
        run_id: it.runId,
        call_index: it.callIndex,
        chain_id: it.chainId,
        from_addr: it.from.toLowerCase(),
        nonce: it.nonce,
        to_addr: it.to.toLowerCase(),
        value: it.value.toString(),
        data: it.data,
        data_hash: it.dataHash,
        token_addr: it.tokenAddress?.toLowerCase() ?? null,
        token_amount: it.tokenAmount?.toString() ?? null,
        kind: it.kind,
        status: it.dryRun ? 'prepared' : 'signed',
        dry_run: it.dryRun ? 1 : 0,
        raw_tx: it.rawTx,
        tx_hash: it.hash,
        gas_limit: it.gasLimit.toString(),
        max_fee: it.maxFeePerGas.toString(),
        max_prio: it.maxPriorityFeePerGas.toString(),
        valid_until: it.validUntil,
        now: t,
      })
      const id = Number(info.lastInsertRowid)
      if (it.rootId === undefined) setRoot.run(id)
      // The row as stored, built from what was just written (no read back per attempt on the send path).
      rows.push({
        id,
        rootId: it.rootId ?? id,
        runId: it.runId,
        callIndex: it.callIndex,
        chainId: it.chainId,
        from: it.from.toLowerCase() as Address,
        nonce: it.nonce,
        to: it.to.toLowerCase() as Address,
        value: it.value,
        data: it.data,
        dataHash: it.dataHash,
        tokenAddress: (it.tokenAddress?.toLowerCase() ?? null) as Address | null,
        tokenAmount: it.tokenAmount ?? null,
        kind: it.kind,
        status: it.dryRun ? 'prepared' : 'signed',
        dryRun: it.dryRun === true,
        rawTx: it.rawTx,
        hash: it.hash,
        gasLimit: it.gasLimit,
        maxFeePerGas: it.maxFeePerGas,
        maxPriorityFeePerGas: it.maxPriorityFeePerGas,
        blockHash: null,
        blockNumber: null,
        error: null,
        validUntil: it.validUntil,
        broadcastCount: 0,
        createdAt: t,
        updatedAt: t,
        broadcastAt: null,
        minedAt: null,
      })
    }
    return rows
  }
  const durableTx = db.transaction(writeBatch)

  // Daily totals are read before every send: keep them in memory, seeded once from the table and updated by
  // this journal's own inserts (it is the only writer of tx_intents), so a busy day stays O(1) per send.
  const spendCache = new Map<string, { since: number; totals: SpendTotals }>()
  const addSpend = (totals: SpendTotals, value: bigint, token: string | null, amount: bigint | null) => {
    totals.native += value
    if (token && amount !== null) totals.tokens.set(token, (totals.tokens.get(token) ?? 0n) + amount)
  }
  const noteSpend = (intents: NewIntent[], at: number) => {
    for (const it of intents) {
      if (it.kind !== 'normal' || it.dryRun) continue
      const entry = spendCache.get(`${it.chainId}:${it.from.toLowerCase()}`)
      if (entry && at >= entry.since) {
        addSpend(
          entry.totals,
          it.value + it.gasLimit * it.maxFeePerGas,
          it.tokenAddress?.toLowerCase() ?? null,
          it.tokenAmount ?? null,
        )
      }
    }
  }

  /** One fsync'd transaction: synchronous=FULL only around the journal's own commits. */
  const recordBatch = (intents: NewIntent[]): IntentRow[] => {
    if (intents.length === 0) return []
    const previous = db.pragma('synchronous', { simple: true }) as number
    db.pragma('synchronous = FULL')
    let rows: IntentRow[]
    try {
      rows = durableTx.immediate(intents)
    } finally {
      db.pragma(`synchronous = ${previous}`)
    }
    noteSpend(intents, now())
    return rows
  }

  const setStatus = (id: number, status: IntentStatus, fields: StatusFields = {}): void => {
    const setBlock = fields.blockHash !== undefined || fields.blockNumber !== undefined
    update.run({
      id,
      status,
      now: now(),
      set_block: setBlock ? 1 : 0,
      block_hash: fields.blockHash ?? null,
      block_number: fields.blockNumber ?? null,
      error: fields.error ?? null,
      bc: fields.broadcast ? 1 : 0,
    })
  }

  return {
    recordBatch,
    batch: (fn) => db.transaction(fn).immediate(),
    record: groupCommit(recordBatch),
    setStatus,
    settleGroup(rootId, minedId, status, fields = {}) {
      const setBlock = fields.blockHash !== undefined || fields.blockNumber !== undefined
      settle.run({
        root: rootId,
        id: minedId,
        status,
        now: now(),
        set_block: setBlock ? 1 : 0,
        block_hash: fields.blockHash ?? null,
        block_number: fields.blockNumber ?? null,
        error: fields.error ?? null,
        bc: fields.broadcast ? 1 : 0,
      })
    },
    closeGroup(rootId, status, error) {
      closeOpen.run(status, error, now(), rootId)
    },
    get: (id) => decodeOpt(selectById.get(id)),
    findByHash: (hash) => decodeOpt(selectByHash.get(hash)),
    findNormal: (runId, callIndex) => decodeOpt(selectNormal.get(runId, callIndex)),
    group: (rootId) => selectGroup.all(rootId).map(decode),
    byRun: (runId) => selectRun.all(runId).map(decode),
    openRoots(chainId, from) {
      const rows =
        chainId === undefined || from === undefined ? openAll.all() : openWallet.all(chainId, from.toLowerCase())
      return rows.map((r) => (r as { root_id: number }).root_id)
    },
    maxOpenNonce(chainId, from) {
      const r = maxNonce.get(chainId, from.toLowerCase()) as { n: number | null }
      return r.n ?? -1
    },
    reservedFunds(chainId, from) {
      let sum = 0n
      for (const r of reserved.all(chainId, from.toLowerCase()) as Record<string, string | null>[]) {
        sum += BigInt(r.value ?? '0') + BigInt(r.gas_limit ?? '0') * BigInt(r.max_fee_per_gas ?? '0')
      }
      return sum
    },
    spendSince(chainId, from, sinceMs) {
      const key = `${chainId}:${from.toLowerCase()}`
      let entry = spendCache.get(key)
      if (!entry || entry.since !== sinceMs) {
        const totals: SpendTotals = { native: 0n, tokens: new Map() }
        for (const r of spend.all(chainId, from.toLowerCase(), sinceMs) as Record<string, string | null>[]) {
          const gas = BigInt(r.gas_limit ?? '0') * BigInt(r.max_fee_per_gas ?? '0')
          addSpend(
            totals,
            BigInt(r.value ?? '0') + gas,
            r.token_addr ?? null,
            r.token_amount ? BigInt(r.token_amount) : null,
          )
        }
        entry = { since: sinceMs, totals }
        spendCache.set(key, entry)
      }
      return { native: entry.totals.native, tokens: new Map(entry.totals.tokens) }
    },
  }
}
