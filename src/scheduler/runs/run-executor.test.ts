// The run executor on its own: attempts, full-jitter retry waits on a real timeline over the test clock,
// retries and aborts around them, and when the run's outcome and its settling are reported (timeouts and aborts
// outside retries: run-executor-aborts.test.ts).
import { AbortError } from 'p-retry'
import { describe, expect, it } from 'vitest'
import { deferred } from '../testing/fixture.ts'
import type { RunContext, TaskHandler } from '../task-contract.ts'
import { backoffDelay, executeRun, isRetryableFailure, RunTimeoutError } from './run-executor.ts'
import { boom, harness } from './run-executor-harness.ts'

describe('backoffDelay', () => {
  it('draws uniformly below min(cap, base * 2^(attempt-1)), rounded down', () => {
    expect(backoffDelay(1, 1_000, 60_000, () => 0.5)).toBe(500)
    expect(backoffDelay(2, 1_000, 60_000, () => 0.5)).toBe(1_000)
    expect(backoffDelay(4, 1_000, 60_000, () => 0.5)).toBe(4_000)
    expect(backoffDelay(4, 1_000, 5_000, () => 0.5)).toBe(2_500)
    expect(backoffDelay(3, 1_000, 60_000, () => 0.9999)).toBe(3_999)
    expect(backoffDelay(3, 1_000, 60_000, () => 0)).toBe(0)
    // An attempt number below 1 is treated as the first.
    expect(backoffDelay(0, 1_000, 60_000, () => 0.5)).toBe(500)
  })
})

describe('isRetryableFailure', () => {
  it('retries anything not marked retryable:false, never a timeout', () => {
    expect(isRetryableFailure(new RunTimeoutError(5))).toBe(false)
    expect(isRetryableFailure(boom(false))).toBe(false)
    expect(isRetryableFailure(boom(true))).toBe(true)
    expect(isRetryableFailure(new Error('plain'))).toBe(true)
    expect(isRetryableFailure(null)).toBe(true)
    expect(isRetryableFailure(undefined)).toBe(true)
    expect(isRetryableFailure('text')).toBe(true)
  })

  it('a timeout error is typed, coded and not retryable', () => {
    const e = new RunTimeoutError(250)
    expect(e).toMatchObject({ name: 'RunTimeoutError', code: 'RUN_TIMEOUT', retryable: false })
    expect(e.message).toContain('250 ms')
    expect(e.hint).toBeTruthy()
  })
})

describe('executeRun without retries', () => {
  it('calls the handler once with the run context and reports the result, then settles', async () => {
    const seen: RunContext[] = []
    const h = harness({
      handler: async (ctx) => {
        seen.push(ctx)
        return { ok: 1 }
      },
    })
    await h.clock.settle()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({
      jobId: 'job-1',
      runId: '7',
      attempt: 1,
      args: { amount: '0.2' },
      metadata: { owner: 'ops' },
    })
    // Without a timeout the handler's signal is the run's own.
    expect(seen[0]!.signal).toBe(h.abort.signal)
    expect(h.calls).toEqual([
      ['start', 1, 1_000],
      ['outcome', { ok: true, result: { ok: 1 } }],
      ['settled', 1_000],
    ])
  })

  it('a throwing handler (async or sync) fails the run once, recording the attempt', async () => {
    const err = boom(true)
    for (const handler of [
      async () => {
        throw err
      },
      (() => {
        throw err
      }) as TaskHandler,
    ]) {
      const h = harness({ handler })
      await h.clock.settle()
      expect(h.calls).toEqual([
        ['start', 1, 1_000],
        ['failed', 1, 1_000, err],
        ['outcome', { ok: false, error: err }],
        ['settled', 1_000],
      ])
    }
  })

  it("unwraps p-retry's AbortError to the error it carries", async () => {
    const inner = new Error('stop here')
    const h = harness({
      handler: async () => {
        throw new AbortError(inner)
      },
    })
    await h.clock.settle()
    expect(h.outcomes()).toEqual([{ ok: false, error: inner }])
  })
})

describe('executeRun with retries', () => {
  it('waits a full-jitter delay on the timeline between attempts, then reports the success', async () => {
    const err = boom(true)
    let n = 0
    const attempts: number[] = []
    const h = harness({
      maxRetries: 3,
      handler: async (ctx) => {
        attempts.push(ctx.attempt)
        if (++n < 3) throw err
        return 'done'
      },
    })
    await h.clock.settle()
    expect(h.calls).toEqual([
      ['start', 1, 1_000],
      ['failed', 1, 1_000, err],
      ['retrying', 1, err, 500],
    ])
    await h.clock.advance(499)
    expect(attempts).toEqual([1])
    await h.clock.advance(1)
    expect(attempts).toEqual([1, 2])
    expect(h.calls.slice(3)).toEqual([
      ['start', 2, 1_500],
      ['failed', 2, 1_500, err],
      ['retrying', 2, err, 1_000],
    ])
    await h.clock.advance(999)
    expect(attempts).toEqual([1, 2])
    await h.clock.advance(1)
    expect(attempts).toEqual([1, 2, 3])
    expect(h.calls.slice(6)).toEqual([
      ['start', 3, 2_500],
      ['outcome', { ok: true, result: 'done' }],
      ['settled', 2_500],
    ])
    expect(h.timeline.size()).toBe(0)
  })

  it('fails with the last error once the retries are spent', async () => {
    let n = 0
    const errors = [boom(true), boom(true), boom(true)]
    const h = harness({
      maxRetries: 2,
      handler: async () => {
        throw errors[n++]
      },
    })
    await h.clock.advance(10_000)
    expect(n).toBe(3)
    expect(h.kinds()).toEqual([
      'start',
      'failed',
      'retrying',
      'start',
      'failed',
      'retrying',
      'start',
      'failed',
      'outcome',
      'settled',
    ])
    expect(h.outcomes()).toEqual([{ ok: false, error: errors[2] }])
  })

  it('fails at once on an error marked retryable:false', async () => {
    const err = boom(false)
    const h = harness({
      maxRetries: 5,
      handler: async () => {
        throw err
      },
    })
    await h.clock.advance(100_000)
    expect(h.calls).toEqual([
      ['start', 1, 1_000],
      ['failed', 1, 1_000, err],
      ['outcome', { ok: false, error: err }],
      ['settled', 1_000],
    ])
  })

  it('an abort during the retry wait ends the run with the abort reason and cancels the wait', async () => {
    const err = boom(true)
    let n = 0
    const h = harness({
      maxRetries: 3,
      handler: async () => {
        n++
        throw err
      },
    })
    await h.clock.settle()
    expect(h.timeline.size()).toBe(1)
    const reason = new Error('cancelled by operator')
    h.abort.abort(reason)
    await h.clock.settle()
    expect(h.timeline.size()).toBe(0)
    expect(h.outcomes()).toEqual([{ ok: false, error: reason }])
    await h.clock.advance(100_000)
    expect(n).toBe(1)
    expect(h.kinds().filter((k) => k === 'settled')).toHaveLength(1)
  })

  it('an abort while the retry is being announced ends the run without another attempt', async () => {
    const err = boom(true)
    const reason = new Error('cancelled on the retrying event')
    let n = 0
    const h = harness(
      {
        maxRetries: 3,
        handler: async () => {
          n++
          throw err
        },
      },
      0.5,
      (abort) => abort.abort(reason),
    )
    await h.clock.advance(100_000)
    expect(n).toBe(1)
    expect(h.kinds()).toEqual(['start', 'failed', 'retrying', 'outcome', 'settled'])
    expect(h.outcomes()).toEqual([{ ok: false, error: reason }])
    expect(h.timeline.size()).toBe(0)
  })

  it('an abort during an attempt is not retried, even when the abort reason looks retryable', async () => {
    const gate = deferred()
    let n = 0
    const h = harness({
      maxRetries: 3,
      handler: async () => {
        n++
        await gate.promise
      },
    })
    await h.clock.settle()
    const reason = new Error('shutdown')
    h.abort.abort(reason)
    await h.clock.settle()
    expect(h.outcomes()).toEqual([{ ok: false, error: reason }])
    // The handler has not returned: the run is not settled, so its instance stays taken.
    expect(h.kinds()).not.toContain('settled')
    gate.resolve()
    await h.clock.advance(100_000)
    expect(n).toBe(1)
    expect(h.kinds()).toEqual(['start', 'failed', 'outcome', 'settled'])
  })
})
