// The chart-history reads and savings over a real SQLite file with the real migrations: windows, point bounds,
// retention and the savings arithmetic.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../store/database.ts'
import { baseFeeSeries, balanceSeries, runsPerHour, sendMarks, transactions } from './queries.ts'
import { pruneChartHistory } from './retention.ts'
import { savingsReport } from './savings.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-history-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const NOW = 1_800_000_000_000
const GWEI = 1_000_000_000

function fresh(name: string) {
  const db = openDatabase({ path: join(dir, `${name}.db`) })
  const intent =
    db.prepare(`INSERT INTO tx_intents (id, root_id, run_id, call_index, chain_id, from_addr, nonce, to_addr, value, data, data_hash,
    kind, status, tx_hash, created_at, updated_at, broadcast_at) VALUES (?, ?, ?, 0, ?, '0xaa', ?, '0xbb', '0', '0x', '0x', ?, ?, ?, ?, ?, ?)`)
  const fee =
    db.prepare(`INSERT INTO history_tx_fee (intent_id, run_id, chain_id, gas_used, effective_gas_price, block_base_fee, fee_wei, mined_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
  return { db, intent, fee }
}

describe('chart history queries', () => {
  it('downsamples base fees to the point budget, per chain, within the window', () => {
    const { db } = fresh('base')
    const put = db.prepare('INSERT INTO history_base_fee (chain_id, at, base_fee) VALUES (?, ?, ?)')
    for (let i = 0; i < 1_000; i++) {
      put.run(1, NOW - i * 60_000, (10 + (i % 7)) * GWEI)
      put.run(10, NOW - i * 60_000, GWEI)
    }
    const w = { since: NOW - 500 * 60_000, until: NOW, points: 50 }
    const s = baseFeeSeries(db, w)
    expect(Object.keys(s).sort()).toEqual(['1', '10'])
    expect(s['1']!.length).toBeLessThanOrEqual(50)
    expect(s['1']!.length).toBeGreaterThanOrEqual(45)
    expect(s['1']!.every((p) => p.at >= w.since && p.at <= w.until)).toBe(true)
    expect(Math.max(...s['1']!.map((p) => p.max))).toBe(16 * GWEI)
    expect(s['10']!.every((p) => p.avg === GWEI)).toBe(true)
    // A later `since` drops the older points.
    expect(baseFeeSeries(db, { since: NOW - 10 * 60_000, until: NOW, points: 1_000 })['1']!.length).toBe(11)
  })

  it('keeps the last balance of each bucket and one line per chain, wallet and asset', () => {
    const { db } = fresh('balances')
    const put = db.prepare(
      'INSERT INTO history_balance (chain_id, wallet, asset, at, amount, units) VALUES (?, ?, ?, ?, ?, ?)',
    )
    for (let i = 0; i < 100; i++) {
      put.run(1, '0xaa', 'ETH', NOW - i * 1000, String(i), i)
      put.run(1, '0xaa', 'USDC', NOW - i * 1000, '5', 5)
    }
    const lines = balanceSeries(db, { since: NOW - 99_000, until: NOW, points: 10 })
    expect(lines.map((l) => l.asset)).toEqual(['ETH', 'USDC'])
    expect(lines[0]!.points.length).toBeLessThanOrEqual(10)
    // The newest sample (i = 0, units 0) is the last point: levels are not averaged.
    expect(lines[0]!.points.at(-1)).toEqual({ at: NOW, units: 0 })
  })

  it('counts runs per hour by status and shows transactions with replacements and fees', () => {
    const { db, intent, fee } = fresh('tx')
    const run = db.prepare(
      `INSERT INTO runs (id, job_id, status, origin, created_at, ended_at) VALUES (?, 'swap', ?, 'schedule', ?, ?)`,
    )
    run.run(1, 'succeeded', NOW - 7_200_000, NOW - 7_100_000)
    run.run(2, 'failed', NOW - 7_000_000, NOW - 6_900_000)
    run.run(3, 'succeeded', NOW - 60_000, NOW - 30_000)
    const hours = runsPerHour(db, { since: NOW - 86_400_000, until: NOW, points: 24 })
    expect(hours.reduce((n, h) => n + h.count, 0)).toBe(3)
    expect(hours.filter((h) => h.status === 'failed')).toHaveLength(1)
    intent.run(1, 1, '3', 1, 7, 'normal', 'replaced', '0x01', NOW - 50_000, NOW, NOW - 50_000)
    intent.run(2, 1, '3', 1, 7, 'replacement', 'confirmed', '0x02', NOW - 40_000, NOW, NOW - 40_000)
    fee.run(2, '3', 1, '21000', String(3 * GWEI), String(2 * GWEI), String(21_000 * 3 * GWEI), NOW - 30_000)
    const [tx] = transactions(db, NOW - 86_400_000, 10)
    expect(tx).toMatchObject({
      hash: '0x02',
      nonce: 7,
      status: 'confirmed',
      replacements: 1,
      feeWei: String(21_000 * 3 * GWEI),
      jobId: 'swap',
    })
    expect(sendMarks(db, { since: NOW - 86_400_000, until: NOW, points: 10 })['1']).toEqual([
      { at: NOW - 50_000 + 10_000, jobId: 'swap', baseFee: 2 * GWEI },
    ])
  })

  it('computes savings against the due-time base fee, counting the tip in both, for the day and the week', () => {
    const { db, intent, fee } = fresh('savings')
    const timing = db.prepare(
      'INSERT INTO history_gas_timing (run_id, chain_id, due_at, due_base_fee, delayed_at) VALUES (?, 1, ?, ?, ?)',
    )
    // Delayed at 50 gwei, sent at base 10 gwei + 1 gwei tip, 100k gas: paid 1.1e15, at due 5.1e15, saved 4e15.
    intent.run(1, 1, 'r1', 1, 1, 'normal', 'confirmed', '0x11', NOW - 3_600_000, NOW, NOW - 3_600_000)
    fee.run(1, 'r1', 1, '100000', String(11 * GWEI), String(10 * GWEI), String(100_000 * 11 * GWEI), NOW - 3_600_000)
    timing.run('r1', NOW - 7_200_000, String(50 * GWEI), NOW - 7_200_000)
    // Three days ago: in the week only.
    intent.run(2, 2, 'r2', 1, 2, 'normal', 'confirmed', '0x12', NOW - 3 * 86_400_000, NOW, NOW - 3 * 86_400_000)
    fee.run(2, 'r2', 1, '50000', String(20 * GWEI), String(20 * GWEI), String(50_000 * 20 * GWEI), NOW - 3 * 86_400_000)
    timing.run('r2', NOW - 3 * 86_400_000 - 60_000, String(30 * GWEI), NOW - 3 * 86_400_000)
    // Not delayed: counted in all fees only.
    intent.run(3, 3, 'r3', 1, 3, 'normal', 'confirmed', '0x13', NOW - 60_000, NOW, NOW - 60_000)
    fee.run(3, 'r3', 1, '21000', String(GWEI), String(GWEI), String(21_000 * GWEI), NOW - 60_000)
    const s = savingsReport(db, NOW)!
    expect(s.day).toEqual({
      delayedTxs: 1,
      paidWei: String(1_100_000 * GWEI),
      atDueWei: String(5_100_000 * GWEI),
      savedWei: String(4_000_000 * GWEI),
      allFeesWei: String(1_100_000 * GWEI + 21_000 * GWEI),
    })
    expect(s.week.delayedTxs).toBe(2)
    expect(s.week.savedWei).toBe(String(4_000_000 * GWEI + 50_000 * 10 * GWEI))
  })

  it('prunes every history table past the cutoff (a dry run only counts)', () => {
    const { db, intent, fee } = fresh('retention')
    db.prepare('INSERT INTO history_base_fee (chain_id, at, base_fee) VALUES (1, ?, 1), (1, ?, 1)').run(
      NOW - 40 * 86_400_000,
      NOW,
    )
    db.prepare(
      "INSERT INTO history_balance (chain_id, wallet, asset, at, amount, units) VALUES (1, '0xaa', 'ETH', ?, '1', 1)",
    ).run(NOW - 40 * 86_400_000)
    intent.run(1, 1, 'r1', 1, 1, 'normal', 'confirmed', '0x11', NOW, NOW, NOW)
    fee.run(1, 'r1', 1, '1', '1', '1', '1', NOW - 40 * 86_400_000)
    db.prepare(
      "INSERT INTO history_gas_timing (run_id, chain_id, due_at, due_base_fee, delayed_at) VALUES ('r1', 1, 0, '1', ?)",
    ).run(NOW - 40 * 86_400_000)
    const cutoff = NOW - 30 * 86_400_000
    expect(pruneChartHistory(db, cutoff, true)).toBe(4)
    expect(pruneChartHistory(db, cutoff)).toBe(4)
    expect(pruneChartHistory(db, cutoff, true)).toBe(0)
    expect((db.prepare('SELECT COUNT(*) AS n FROM history_base_fee').get() as { n: number }).n).toBe(1)
  })
})
