// Test harness of the run executor: `executeRun` on a real timeline over the test clock, every hook call recorded.
import { AppError } from '../../errors/app-error.ts'
import type { TaskHandler } from '../task-contract.ts'
import { createTestClock } from '../time/test-clock.ts'
import { createTimeline } from '../time/timeline.ts'
import { LazyAbort } from './lazy-abort.ts'
import { executeRun, type ExecuteParams, type Outcome } from './run-executor.ts'

/** One recorded hook call: its kind, then its arguments (times are the test clock's). */
export type Call =
  | ['start', number, number]
  | ['failed', number, number, unknown]
  | ['retrying', number, unknown, number]
  | ['outcome', Outcome]
  | ['settled', number]

/** Runs `executeRun` against a real timeline on a test clock and records every hook call with the clock time. */
export function harness(
  over: Partial<ExecuteParams> & { handler: TaskHandler },
  random = 0.5,
  whenRetrying: (abort: LazyAbort) => void = () => undefined,
) {
  const clock = createTestClock(1_000)
  const timeline = createTimeline(clock)
  const calls: Call[] = []
  const abort = over.abort ?? new LazyAbort()
  const params: ExecuteParams = {
    jobId: 'job-1',
    runId: '7',
    originRunId: '7',
    args: { amount: '0.2' },
    metadata: { owner: 'ops' },
    maxRetries: 0,
    retryDelay: 1_000,
    maxRetryDelay: 60_000,
    timeoutMs: undefined,
    ...over,
    abort,
  }
  executeRun(params, {
    now: () => clock.now(),
    at: (ms, fn) => timeline.at(ms, fn),
    random: () => random,
    onAttemptStart: (n) => void calls.push(['start', n, clock.now()]),
    onAttemptFailed: (n, startedAt, e) => void calls.push(['failed', n, startedAt, e]),
    onRetrying: (n, e, delay) => {
      calls.push(['retrying', n, e, delay])
      whenRetrying(abort)
    },
    onOutcome: (o) => void calls.push(['outcome', o]),
    onSettled: () => void calls.push(['settled', clock.now()]),
  })
  const kinds = () => calls.map((c) => c[0])
  const outcomes = () => calls.filter((c) => c[0] === 'outcome').map((c) => c[1] as Outcome)
  return { clock, timeline, calls, kinds, outcomes, abort }
}

/** An application error with the given retryable flag. */
export const boom = (retryable: boolean) => new AppError('BOOM', 'boom', { retryable })
