// The run executor's aborts and per-attempt timeouts: before a start, during an attempt, past a timeout.
import { describe, expect, it } from 'vitest'
import { deferred } from '../testing/fixture.ts'
import { LazyAbort } from './lazy-abort.ts'
import { RunTimeoutError } from './run-executor.ts'
import { harness } from './run-executor-harness.ts'

describe('executeRun aborts and timeouts', () => {
  it('a run aborted before it starts fails at once; the handler still sees an aborted signal', async () => {
    for (const timeoutMs of [undefined, 5_000]) {
      const abort = new LazyAbort()
      const reason = new Error('cancelled before start')
      abort.abort(reason)
      const signals: AbortSignal[] = []
      const h = harness({
        abort,
        timeoutMs,
        handler: async ({ signal }) => void signals.push(signal),
      })
      await h.clock.settle()
      expect(signals[0]!.aborted).toBe(true)
      expect(signals[0]!.reason).toBe(reason)
      expect(h.calls).toEqual([
        ['start', 1, 1_000],
        ['failed', 1, 1_000, reason],
        ['outcome', { ok: false, error: reason }],
        ['settled', 1_000],
      ])
      expect(h.timeline.size()).toBe(0)
    }
  })

  it("aborts an attempt past its timeout through the handler's signal, fails without retrying, settles on return", async () => {
    const returned = deferred()
    const signals: AbortSignal[] = []
    const h = harness({
      maxRetries: 3,
      timeoutMs: 300,
      handler: async ({ signal }) => {
        signals.push(signal)
        await returned.promise
      },
    })
    await h.clock.advance(299)
    expect(signals[0]!.aborted).toBe(false)
    expect(h.kinds()).toEqual(['start'])
    await h.clock.advance(1)
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBeInstanceOf(RunTimeoutError)
    // Each attempt gets its own signal: the run's stays unaborted, so a later attempt could still run.
    expect(h.abort.aborted).toBe(false)
    const [failed, outcome] = h.calls.slice(1)
    expect(failed).toEqual(['failed', 1, 1_000, expect.any(RunTimeoutError)])
    expect(outcome).toEqual(['outcome', { ok: false, error: signals[0]!.reason }])
    expect(h.kinds()).not.toContain('settled')
    returned.resolve()
    await h.clock.advance(100_000)
    expect(h.kinds()).toEqual(['start', 'failed', 'outcome', 'settled'])
    expect(h.calls.at(-1)).toEqual(['settled', 1_300])
  })

  it('records a timed-out attempt once, even when the handler then throws on its aborted signal', async () => {
    const h = harness({
      timeoutMs: 300,
      handler: ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted by signal')))),
    })
    await h.clock.advance(1_000)
    expect(h.kinds()).toEqual(['start', 'failed', 'outcome', 'settled'])
    expect(h.calls[1]).toEqual(['failed', 1, 1_000, expect.any(RunTimeoutError)])
  })

  it('a handler that returns before its timeout cancels the timer and succeeds', async () => {
    const h = harness({ timeoutMs: 300, handler: async () => 42 })
    await h.clock.settle()
    expect(h.timeline.size()).toBe(0)
    await h.clock.advance(1_000)
    expect(h.calls).toEqual([
      ['start', 1, 1_000],
      ['outcome', { ok: true, result: 42 }],
      ['settled', 1_000],
    ])
  })

  it('a run abort reaches the signal of an attempt that has a timeout, and ends the attempt at once', async () => {
    const signals: AbortSignal[] = []
    const returned = deferred()
    const h = harness({
      timeoutMs: 10_000,
      handler: async ({ signal }) => {
        signals.push(signal)
        await returned.promise
      },
    })
    await h.clock.settle()
    const reason = new Error('cancelled')
    h.abort.abort(reason)
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBe(reason)
    expect(h.outcomes()).toEqual([{ ok: false, error: reason }])
    expect(h.timeline.size()).toBe(0)
    returned.resolve()
    await h.clock.settle()
    expect(h.kinds()).toEqual(['start', 'failed', 'outcome', 'settled'])
  })
})
