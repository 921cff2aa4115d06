// Crash test: 50 SIGKILLs of a real scheduler child; no job lost, no run left running, no overlapping runs.
import { expect, it } from 'vitest'
import { runCrashHarness } from './harness.ts'

it('survives 50 SIGKILLs at random moments with its invariants intact', async () => {
  const report = await runCrashHarness({ kills: 50 })
  expect(report.kills).toBe(50)
  // The kills must actually hit executing runs, or the test proves nothing about recovery.
  expect(report.interruptedSeen).toBeGreaterThan(0)
  expect(report.handlerCalls).toBeGreaterThan(100)
}, 120_000)
