// The crash proof: >= 50 SIGKILLs at random points of the send path, then exactly-once invariants on chain and DB.
import { describe, expect, it } from 'vitest'
import { runTxCrashHarness } from './tx-harness.ts'

describe('tx engine under SIGKILL', () => {
  it('survives 50 kills: one mined tx per intent and per nonce, no gap, every job done, DB intact', async () => {
    const lines: string[] = []
    const report = await runTxCrashHarness({ kills: 50, log: (l) => lines.push(l) })
    if (report.problems.length > 0) console.error(lines.slice(-10).join('\n'))
    expect(report.problems).toEqual([])
    expect(report.kills).toBeGreaterThanOrEqual(50)
    for (const step of ['signed', 'journaled', 'broadcast', 'awaiting_receipt']) {
      expect(report.killsByStep[step] ?? 0).toBeGreaterThan(0)
    }
    expect(report.integrity).toBe('ok')
    expect(report.minedTxs).toBe(report.jobs)
    expect(report.finalNonce).toBe(report.jobs)
  }, 170_000)
})
