// `bot status` (the real binary, read-only state view) prints what gas timing saved over the last day and week,
// from the fees and due-time base fees recorded in the state file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/database.ts'
import { runBot } from '../e2e/run-bot.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-status-savings-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const GWEI = 1_000_000_000n

describe('bot status savings', () => {
  it('shows the saving of a gas-delayed transaction and the fees of all', async () => {
    const path = join(dir, 'state.db')
    const db = openDatabase({ path })
    const now = Date.now()
    db.prepare(
      `INSERT INTO tx_intents (id, root_id, run_id, chain_id, from_addr, nonce, to_addr, value, data, data_hash, kind, status, tx_hash,
      created_at, updated_at) VALUES (1, 1, '9', 1, '0xaa', 0, '0xbb', '0', '0x', '0x', 'normal', 'confirmed', '0x01', ?, ?)`,
    ).run(now, now)
    // 100k gas at 10 gwei base + 1 gwei tip, due at 50 gwei: paid 0.0011 ETH, 0.0051 ETH at the due time, 0.004 ETH saved.
    db.prepare(
      `INSERT INTO history_tx_fee (intent_id, run_id, chain_id, gas_used, effective_gas_price, block_base_fee, fee_wei, mined_at)
      VALUES (1, '9', 1, '100000', ?, ?, ?, ?)`,
    ).run(String(11n * GWEI), String(10n * GWEI), String(100_000n * 11n * GWEI), now - 60_000)
    db.prepare(
      "INSERT INTO history_gas_timing (run_id, chain_id, due_at, due_base_fee, delayed_at) VALUES ('9', 1, ?, ?, ?)",
    ).run(now - 600_000, String(50n * GWEI), now - 600_000)
    db.close()
    const cfg = join(dir, 'bot.json')
    writeFileSync(cfg, JSON.stringify({ store: { path }, jobs: [] }))
    const r = await runBot(['status', '--config', cfg])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      'savings:   last day: 0.004 ETH saved on 1 gas-delayed tx (paid 0.0011 ETH; at the due-time base fee 0.0051 ETH; all fees 0.0011 ETH)',
    )
    expect(r.stdout).toContain('savings:   last week: 0.004 ETH saved on 1 gas-delayed tx')
    const json = JSON.parse((await runBot(['status', '--json', '--config', cfg])).stdout) as {
      savings: { day: { savedWei: string } }
    }
    expect(json.savings.day.savedWei).toBe(String(4_000_000n * GWEI))
  }, 60_000)
})
