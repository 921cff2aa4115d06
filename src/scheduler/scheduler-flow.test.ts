// DAG dependencies and --once (6), the dispatch gate (13), explain, and the escalation webhook.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { AppError } from '../errors/app-error.ts'
import { createEscalationHook } from './runs/escalation.ts'
import type { GateDecision, GateInput } from './scheduler-types.ts'
import { deferred, makeFixture } from './testing/fixture.ts'

describe('DAG dependencies', () => {
  it('waits for dependencies, cancels dependents of a permanent failure with dependency_failed, cascading', async () => {
    const f = makeFixture()
    const order: string[] = []
    const releaseA = deferred()
    f.sched.registerTask({
      type: 't',
      handler: async ({ jobId, args }) => {
        order.push(jobId)
        if (jobId === 'a') await releaseA.promise
        if ((args as { fail?: boolean }).fail) throw new AppError('BAD', 'broken', { retryable: false })
      },
    })
    f.sched.addJob({ id: 'a', taskType: 't' })
    f.sched.addJob({ id: 'b', taskType: 't', dependencies: ['a'] })
    f.sched.addJob({ id: 'c', taskType: 't', dependencies: ['b'] })
    await f.sched.start()
    f.sched.runNow('a')
    f.sched.runNow('b')
    await f.clock.settle()
    expect(order).toEqual(['a'])
    expect(f.sched.explain('b').reasons.join('\n')).toMatch(/dependency a has a run in progress/)
    releaseA.resolve()
    await f.clock.settle()
    expect(order).toEqual(['a', 'b'])
    // Now a fails permanently: b is cancelled, and c (waiting on b) in turn.
    f.sched.runNow('a', { fail: true })
    f.sched.runNow('b')
    f.sched.runNow('c')
    await f.clock.settle()
    const cancelled = f.of('cancelled')
    expect(cancelled.map((e) => e.jobId)).toEqual(['b', 'c'])
    expect(cancelled[0]!.reason).toBe('dependency_failed: a failed: AppError [BAD]: broken')
    expect(cancelled[1]!.reason).toBe(
      'dependency_cancelled: b was cancelled: dependency_failed: a failed: AppError [BAD]: broken',
    )
    expect(order).toEqual(['a', 'b', 'a'])
    await f.sched.stop()
  })

  it('--once runs every enabled job once in topological order, in parallel where the DAG allows', async () => {
    const f = makeFixture({ maxConcurrentJobs: 4 })
    const live = new Set<string>()
    const log: string[] = []
    let maxLive = 0
    const waits = new Map<string, ReturnType<typeof deferred<void>>>()
    f.sched.registerTask({
      type: 't',
      handler: async ({ jobId }) => {
        live.add(jobId)
        maxLive = Math.max(maxLive, live.size)
        log.push(`start ${jobId}`)
        const d = deferred()
        waits.set(jobId, d)
        await d.promise
        live.delete(jobId)
        log.push(`end ${jobId}`)
      },
    })
    f.sched.addJob({ id: 'root', taskType: 't' })
    f.sched.addJob({ id: 'left', taskType: 't', dependencies: ['root'] })
    f.sched.addJob({ id: 'right', taskType: 't', dependencies: ['root'] })
    f.sched.addJob({ id: 'join', taskType: 't', dependencies: ['left', 'right'] })
    f.sched.addJob({ id: 'off', taskType: 't', enabled: false })
    const done = f.sched.runOnce()
    const step = async (ids: string[]) => {
      await f.clock.settle()
      expect([...live].sort()).toEqual(ids)
      for (const id of ids) waits.get(id)!.resolve()
    }
    await step(['root'])
    await step(['left', 'right'])
    await step(['join'])
    const summary = await done
    expect(summary.ok).toBe(true)
    expect(summary.total).toBe(4)
    expect(summary.counts).toEqual({ succeeded: 4 })
    expect(summary.runs.map((r) => r.jobId)).toEqual(['root', 'left', 'right', 'join'])
    expect(maxLive).toBe(2)
    expect(log.indexOf('start join')).toBeGreaterThan(log.indexOf('end right'))
    await f.sched.stop()
  })
})

describe('dispatch gate', () => {
  it('delays until a time, skips, holds until recheckGate, and records each decision on the run', async () => {
    const answers: Record<string, GateDecision[]> = {}
    const inputs: GateInput[] = []
    const f = makeFixture({
      gate: (run) => {
        inputs.push(run)
        return answers[run.jobId]!.shift() ?? { action: 'run' }
      },
    })
    let ran: string[] = []
    f.sched.registerTask({ type: 't', handler: async ({ jobId }) => void ran.push(jobId) })
    for (const id of ['d', 's', 'h']) f.sched.addJob({ id, taskType: 't' })
    const t0 = f.clock.now()
    answers.d = [{ action: 'delay', until: t0 + 10_000, reason: 'gas 80 gwei above cap 30' }]
    answers.s = [{ action: 'skip', reason: 'volatility too high' }]
    answers.h = [
      { action: 'hold', reason: 'circuit breaker open' },
      { action: 'hold', reason: 'still open' },
    ]
    await f.sched.start()
    const [d, s, h] = ['d', 's', 'h'].map((id) => f.sched.runNow(id))
    await f.clock.settle()
    expect(ran).toEqual([])
    expect(f.sched.getRun(d!)).toMatchObject({
      status: 'delayed',
      gateAction: 'delay',
      gateReason: 'gas 80 gwei above cap 30',
      gateUntil: t0 + 10_000,
    })
    expect(f.sched.getRun(s!)).toMatchObject({
      status: 'skipped',
      gateAction: 'skip',
      reason: 'gate: volatility too high',
    })
    expect(f.sched.getRun(h!)).toMatchObject({ status: 'held', gateAction: 'hold', gateReason: 'circuit breaker open' })
    expect(f.sched.explain('d').reasons.join('\n')).toMatch(/gate delayed it until .*gas 80 gwei/)
    expect(f.sched.explain('h').reasons.join('\n')).toMatch(/gate holds it: circuit breaker open/)
    await f.clock.advance(9_999)
    expect(ran).toEqual([])
    await f.clock.advance(1)
    expect(ran).toEqual(['d'])
    f.sched.recheckGate()
    await f.clock.settle()
    expect(f.sched.getRun(h!)).toMatchObject({ status: 'held', gateReason: 'still open' })
    expect(inputs.filter((i) => i.jobId === 'h').at(-1)?.previous).toEqual({
      action: 'hold',
      reason: 'circuit breaker open',
    })
    f.sched.recheckGate()
    await f.clock.settle()
    expect(ran).toEqual(['d', 'h'])
    expect(f.sched.getRun(h!)).toMatchObject({ status: 'succeeded', gateAction: 'run' })
    expect(f.of('delayed')).toHaveLength(1)
    expect(f.of('held')).toHaveLength(2)
    await f.sched.stop()
  })

  it('re-checks held runs on the hold interval without busy-waiting; an async gate and a broken gate', async () => {
    let open = false
    const f = makeFixture({
      holdRecheckMs: 5_000,
      gate: async (run) => {
        if (run.jobId === 'broken') return { action: 'maybe' } as unknown as GateDecision
        return open ? { action: 'run' } : { action: 'hold', reason: 'market closed' }
      },
    })
    let ran = 0
    f.sched.registerTask({ type: 't', handler: async () => void ran++ })
    f.sched.addJob({ id: 'x', taskType: 't' })
    f.sched.addJob({ id: 'broken', taskType: 't' })
    await f.sched.start()
    f.sched.runNow('x')
    const b = f.sched.runNow('broken')
    await f.clock.settle()
    expect(f.of('held')).toHaveLength(2)
    expect(f.sched.getRun(b)?.gateReason).toMatch(/not a decision/)
    open = true
    expect(f.clock.pendingTimers()).toBe(1)
    await f.clock.advance(4_999)
    expect(ran).toBe(0)
    await f.clock.advance(1)
    expect(ran).toBe(1)
    await f.sched.stop()
  })

  it('explains an idle job: next fire, manual trigger, disabled', async () => {
    const f = makeFixture()
    f.sched.registerTask({ type: 't', handler: async () => null })
    f.sched.addJob({ id: 'man', taskType: 't' })
    f.sched.addJob({ id: 'off', taskType: 't', enabled: false })
    expect(f.sched.explain('man')).toMatchObject({ state: 'idle', nextFireAt: null })
    expect(f.sched.explain('man').reasons).toContain('manual trigger: runs only on runNow or --once')
    expect(f.sched.explain('off').state).toBe('disabled')
    expect(() => f.sched.explain('nope')).toThrow(/no job with id "nope"/)
  })
})

describe('escalation hook', () => {
  it('logs and POSTs permanent failures to a webhook, never logging the webhook URL', async () => {
    const bodies: unknown[] = []
    const server = createServer((req, res) => {
      let data = ''
      req.on('data', (c) => (data += c))
      req.on('end', () => {
        bodies.push(JSON.parse(data))
        res.end('ok')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=s3cret`
    const lines: string[] = []
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) })
    const hook = createEscalationHook({ logger, webhookUrl: url })
    const posted = deferred()
    const f = makeFixture({ onEscalation: (e) => hook(e).then(() => posted.resolve()) })
    f.sched.registerTask({
      type: 'bad',
      handler: async () => {
        throw new AppError('X', 'nope', { retryable: false })
      },
    })
    f.sched.addJob({ id: 'bad', taskType: 'bad' })
    await f.sched.start()
    const runId = f.sched.runNow('bad')
    await f.clock.settle()
    await posted.promise
    expect(bodies).toEqual([
      expect.objectContaining({
        source: 'airdrops-scheduler',
        kind: 'failed',
        jobId: 'bad',
        runId,
        message: 'AppError [X]: nope',
      }),
    ])
    expect(lines.join('')).toContain('escalation: job bad')
    expect(lines.join('')).not.toContain('s3cret')
    await f.sched.stop()
    server.close()
  })
})
