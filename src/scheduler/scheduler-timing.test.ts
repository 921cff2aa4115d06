// Misfires (3), overlap (4), priorities and resource pools (5), retries (7) and timeouts (8), on a test clock.
import { AbortError } from 'p-retry'
import { describe, expect, it } from 'vitest'
import { AppError } from '../errors/app-error.ts'
import { deferred, every, makeFixture } from './testing/fixture.ts'

describe('misfires', () => {
  it('coalesces fire times missed during a clock jump into one run, or records them missed beyond grace', async () => {
    const f = makeFixture()
    let runs = 0
    f.sched.registerTask({ type: 'count', handler: async () => ++runs })
    f.sched.addJob({ id: 'm', taskType: 'count', trigger: every(60_000), misfireGraceTime: 30_000 })
    await f.sched.start()
    await f.clock.advance(60_000)
    expect(runs).toBe(1)
    // Suspend for 10 minutes and 10 s: 10 fire times passed, the latest 10 s ago (within grace) -> one run.
    await f.clock.jump(10 * 60_000 + 10_000)
    expect(runs).toBe(2)
    const missed = f.of('missed')
    expect(missed).toHaveLength(1)
    expect(missed[0]!.count).toBe(9)
    // Jump so the latest fire time is 45 s old (beyond the 30 s grace): nothing runs, all are missed.
    await f.clock.jump(5 * 60_000 + 35_000)
    expect(runs).toBe(2)
    expect(f.of('missed')[1]!.count).toBe(5)
    expect(f.sched.explain('m').reasons.join('\n')).toMatch(/misfire: 5 fire time\(s\) missed/)
    // The schedule continues normally afterwards.
    const next = f.sched.getJob('m')!.nextFireAt!
    await f.clock.advance(next - f.clock.now())
    expect(runs).toBe(3)
    await f.sched.stop()
  })

  it('after downtime, a restarted scheduler runs a passed fire once, not once per missed time', async () => {
    const f = makeFixture({ defaultMisfireGraceTime: 120_000 })
    f.sched.registerTask({ type: 'noop', handler: async () => null })
    f.sched.addJob({ id: 'd', taskType: 'noop', trigger: every(60_000) })
    await f.sched.start()
    await f.clock.advance(60_000)
    await f.sched.stop()
    await f.clock.jump(30 * 60_000)
    const g = f.reopen({ defaultMisfireGraceTime: 120_000 })
    g.sched.registerTask({ type: 'noop', handler: async () => null })
    await g.sched.start()
    await g.clock.advance(1)
    expect(g.of('succeeded')).toHaveLength(1)
    expect(g.of('missed')[0]!.count).toBe(29)
    await g.sched.stop()
  })
})

describe('overlap', () => {
  it('never runs a maxInstances-1 job twice at once; fires during a run are skipped and recorded', async () => {
    const f = makeFixture()
    let concurrent = 0
    let maxConcurrent = 0
    const release = deferred()
    f.sched.registerTask({
      type: 'long',
      handler: async () => {
        concurrent++
        maxConcurrent = Math.max(maxConcurrent, concurrent)
        await release.promise
        concurrent--
      },
    })
    f.sched.addJob({ id: 'o', taskType: 'long', trigger: every(1_000) })
    await f.sched.start()
    await f.clock.advance(4_000)
    f.sched.runNow('o')
    await f.clock.settle()
    expect(maxConcurrent).toBe(1)
    const skipped = f.of('skipped')
    expect(skipped).toHaveLength(3)
    expect(skipped[0]!.reason).toMatch(/overlap/)
    expect(f.sched.listRuns({ jobId: 'o', status: 'skipped' }).runs).toHaveLength(3)
    release.resolve()
    await f.clock.settle()
    // The queued runNow starts only after the first run ended.
    expect(f.of('succeeded')).toHaveLength(2)
    expect(maxConcurrent).toBe(1)
    await f.sched.stop()
  })
})

describe('priorities and resource pools', () => {
  it('gives scarce slots to the highest priority due run, FIFO within a priority; setPriority at run time', async () => {
    const f = makeFixture({ maxConcurrentJobs: 1 })
    const order: string[] = []
    const block = deferred()
    f.sched.registerTask({ type: 'rec', handler: async ({ jobId }) => void order.push(jobId) })
    f.sched.registerTask({ type: 'block', handler: async () => block.promise })
    f.sched.addJob({ id: 'blocker', taskType: 'block' })
    for (const [id, p] of [
      ['low1', 'low'],
      ['norm1', 'normal'],
      ['crit', 'critical'],
      ['norm2', 'normal'],
      ['high', 'high'],
      ['lowest', 'lowest'],
      ['low2', 'low'],
    ] as const) {
      f.sched.addJob({ id, taskType: 'rec', priority: p })
    }
    await f.sched.start()
    f.sched.runNow('blocker')
    await f.clock.settle()
    for (const id of ['low1', 'norm1', 'crit', 'norm2', 'high', 'lowest', 'low2']) f.sched.runNow(id)
    f.sched.setPriority('low2', 'critical')
    block.resolve()
    await f.clock.settle()
    expect(order).toEqual(['crit', 'low2', 'high', 'norm1', 'norm2', 'low1', 'lowest'])
    await f.sched.stop()
  })

  it('runs jobs sharing a capacity-1 pool one at a time while others proceed', async () => {
    const f = makeFixture({ maxConcurrentJobs: 8, resourcePools: { 'wallet:0xA': 1, 'rpc:1': 4 } })
    const live = new Set<string>()
    const overlaps: string[] = []
    const gates = new Map<string, ReturnType<typeof deferred<void>>>()
    f.sched.registerTask({
      type: 'w',
      handler: async ({ jobId }) => {
        if ([...live].some((j) => j.startsWith('w')) && jobId.startsWith('w')) overlaps.push(jobId)
        live.add(jobId)
        const d = deferred()
        gates.set(jobId, d)
        await d.promise
        live.delete(jobId)
      },
    })
    for (const id of ['w1', 'w2', 'w3'])
      f.sched.addJob({ id, taskType: 'w', resources: { 'wallet:0xA': 1, 'rpc:1': 1 } })
    f.sched.addJob({ id: 'other', taskType: 'w', resources: { 'rpc:1': 1 } })
    await f.sched.start()
    for (const id of ['w1', 'w2', 'w3', 'other']) f.sched.runNow(id)
    await f.clock.settle()
    expect([...live].sort()).toEqual(['other', 'w1'])
    expect(f.sched.explain('w2').reasons.join('\n')).toMatch(/resources: pool wallet:0xA: needs 1, 0 of 1 free/)
    gates.get('w1')!.resolve()
    await f.clock.settle()
    expect([...live].sort()).toEqual(['other', 'w2'])
    gates.get('w2')!.resolve()
    await f.clock.settle()
    gates.get('w3')!.resolve()
    gates.get('other')!.resolve()
    await f.clock.settle()
    expect(overlaps).toEqual([])
    expect(f.of('succeeded')).toHaveLength(4)
    await f.sched.stop()
  })
})

describe('retries and timeouts', () => {
  it('retries with exponential full-jitter backoff, records each attempt, then succeeds', async () => {
    const f = makeFixture()
    let calls = 0
    f.sched.registerTask({
      type: 'flaky',
      handler: async ({ attempt }) => {
        calls++
        if (attempt < 3) throw new AppError('FLAKY', `try ${attempt} failed`, { retryable: true })
        return { attempt }
      },
    })
    f.sched.addJob({ id: 'r', taskType: 'flaky', maxRetries: 5, retryDelay: 1_000, maxRetryDelay: 1_500 })
    await f.sched.start()
    const runId = f.sched.runNow('r')
    await f.clock.settle()
    expect(calls).toBe(1)
    // random() = 0.5: first wait is 0.5 * 1000 = 500 ms, second 0.5 * min(1500, 2000) = 750 ms.
    expect(f.of('retrying').map((e) => e.delayMs)).toEqual([500])
    await f.clock.advance(499)
    expect(calls).toBe(1)
    await f.clock.advance(1)
    expect(calls).toBe(2)
    await f.clock.advance(750)
    expect(calls).toBe(3)
    expect(f.of('retrying').map((e) => e.delayMs)).toEqual([500, 750])
    const run = f.sched.getRun(runId)!
    expect(run).toMatchObject({ status: 'succeeded', attempt: 3, resultJson: '{"attempt":3}' })
    expect(f.sched.listAttempts(runId).map((a) => [a.attempt, a.error])).toEqual([
      [1, 'AppError [FLAKY]: try 1 failed'],
      [2, 'AppError [FLAKY]: try 2 failed'],
    ])
    await f.sched.stop()
  })

  it('fails at once on retryable:false and AbortError, escalating the permanent failure', async () => {
    const escalations: string[] = []
    const f = makeFixture({ onEscalation: (e) => void escalations.push(`${e.jobId}:${e.kind}`) })
    let calls = 0
    f.sched.registerTask({
      type: 'fatal',
      handler: async ({ args }) => {
        calls++
        if ((args as { abort?: boolean }).abort) throw new AbortError('stop now')
        throw new AppError('REVERT', 'execution reverted', { retryable: false })
      },
    })
    f.sched.addJob({ id: 'f1', taskType: 'fatal', maxRetries: 5, retryDelay: 10 })
    f.sched.addJob({ id: 'f2', taskType: 'fatal', maxRetries: 5, retryDelay: 10, args: { abort: true } })
    f.sched.addJob({ id: 'f3', taskType: 'fatal', maxRetries: 0, args: { abort: true } })
    await f.sched.start()
    f.sched.runNow('f1')
    f.sched.runNow('f2')
    f.sched.runNow('f3')
    await f.clock.advance(1_000)
    expect(calls).toBe(3)
    expect(f.of('retrying')).toHaveLength(0)
    expect(
      f
        .of('failed')
        .map((e) => e.error)
        .sort(),
    ).toEqual(['AppError [REVERT]: execution reverted', 'Error: stop now', 'Error: stop now'])
    expect(escalations.sort()).toEqual(['f1:failed', 'f2:failed', 'f3:failed'])
    expect(f.of('escalated')).toHaveLength(3)
    await f.sched.stop()
  })

  it('aborts a run past its timeout through its AbortSignal and counts it as failed', async () => {
    const f = makeFixture()
    let seen: AbortSignal | undefined
    f.sched.registerTask({
      type: 'hang',
      handler: ({ signal }) => {
        seen = signal
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
      },
    })
    f.sched.addJob({ id: 't', taskType: 'hang', timeout: 5_000, maxRetries: 3 })
    await f.sched.start()
    const id = f.sched.runNow('t')
    await f.clock.advance(4_999)
    expect(seen?.aborted).toBe(false)
    expect(f.sched.getRun(id)?.status).toBe('running')
    await f.clock.advance(1)
    expect(seen?.aborted).toBe(true)
    const run = f.sched.getRun(id)!
    expect(run.status).toBe('failed')
    expect(run.error).toMatch(/RUN_TIMEOUT/)
    expect(run.attempt).toBe(1)
    await f.sched.stop()
  })

  it('keeps a job blocked while a timed-out handler ignores its abort, so runs never overlap', async () => {
    const f = makeFixture()
    const stuck = deferred()
    let calls = 0
    f.sched.registerTask({ type: 'deaf', handler: async () => (++calls === 1 ? stuck.promise : null) })
    f.sched.addJob({ id: 'deaf', taskType: 'deaf', timeout: 1_000 })
    await f.sched.start()
    const first = f.sched.runNow('deaf')
    await f.clock.advance(1_000)
    expect(f.sched.getRun(first)?.status).toBe('failed')
    f.sched.runNow('deaf')
    await f.clock.advance(10_000)
    expect(calls).toBe(1)
    expect(f.sched.explain('deaf').reasons.join('\n')).toMatch(/maxInstances 1 reached/)
    stuck.resolve()
    await f.clock.settle()
    expect(calls).toBe(2)
    await f.sched.stop()
  })
})
