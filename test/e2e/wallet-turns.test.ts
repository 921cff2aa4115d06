// Two protocol calls from one wallet started together, each needing its own exact approval of the same spender:
// the second waits for the first's calls to be mined, builds on the allowance they left, and both succeed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { runBot } from './run-bot.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-wallet-turns-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const supply = (id: string, amount: string) => ({
  id,
  taskType: 'protocol_call',
  trigger: 'manual',
  recovery: 'reconcile',
  args: { adapter: 'aave-v3', wallet: 'main', params: { chainId: 31337, action: 'supply', asset: 'USDC', amount } },
})

describe('calls from one wallet on one chain', () => {
  it('take turns: two Aave supplies started at once both approve and supply in full', async () => {
    const db = join(dir, 'state.db')
    const path = join(dir, 'bot.json')
    writeFileSync(
      path,
      JSON.stringify({
        preset: 'swap-and-lend',
        store: { path: db },
        jobs: [supply('supply-a', '500'), supply('supply-b', '700')],
      }),
    )
    const r = await runBot(['--once', '--json', '--config', path])
    expect(r.code, r.stderr.slice(-1500)).toBe(0)
    const d = new Database(db, { readonly: true })
    try {
      const rows = d
        .prepare("SELECT job_id, started_at, ended_at, result_json FROM runs WHERE job_id LIKE 'supply-%'")
        .all() as { job_id: string; started_at: number; ended_at: number; result_json: string }[]
      expect(rows.map((x) => x.job_id).sort()).toEqual(['supply-a', 'supply-b'])
      for (const row of rows) {
        const calls = (JSON.parse(row.result_json) as { calls: { label: string }[] }).calls.map((c) => c.label)
        const amount = row.job_id === 'supply-a' ? '500' : '700'
        // Each approves exactly its own amount: the other's approval was already spent when it read the allowance.
        expect(calls.at(-1), row.job_id).toBe(`supply ${amount} USDC to Aave v3`)
        expect(
          calls.filter((l) => l.startsWith('approve')),
          row.job_id,
        ).toEqual([`approve ${amount} USDC to Aave v3 Pool`])
      }
      // Both were started together: the scheduler ran them at once, the turns kept their calls apart.
      const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]]
      expect(Math.max(a.started_at, b.started_at)).toBeLessThan(Math.min(a.ended_at, b.ended_at))
    } finally {
      d.close()
    }
  })
})
