// The facade's gate answers at once while its market view is fresh and refreshes (once) when it is stale.
import { describe, expect, it } from 'vitest'
import { createCentralScheduler, type CentralSchedulerOptions } from './central-scheduler.ts'
import type { RiskAssessment } from '../risk/assessment.ts'
import type { RiskManager } from '../risk/risk-manager.ts'
import type { GateInput } from '../scheduler/index.ts'
import { CFG, T0, closed, gas } from './dynamic-policy-fixtures.ts'
import { makeFixture } from '../scheduler/testing/fixture.ts'

const assessment = (at: number): RiskAssessment => ({
  at,
  riskScore: 0,
  circuitBreaker: closed,
  reasons: [],
  gas: {},
  volatility: { level: 'low', value: null, returns: 0, warmedUp: false, since: null, at: null },
  prices: [],
})
const input = (over: Partial<GateInput> = {}): GateInput => ({
  runId: '1',
  originRunId: '1',
  jobId: 'tick',
  taskType: 'noop',
  priority: 'normal',
  origin: 'schedule',
  scheduledFor: 1_000,
  args: {},
  metadata: {},
  previous: null,
  ...over,
})

function facadeAt(clock: { now: number }, onDecision?: CentralSchedulerOptions['onDecision']) {
  let assessed = 0
  const risk: RiskManager = {
    assessCurrentRisk: async () => {
      assessed++
      return assessment(clock.now)
    },
    latest: () => null,
  }
  const facade = createCentralScheduler({ risk, now: () => clock.now, maxViewAgeMs: 5_000, policy: CFG, onDecision })
  // A real (unstarted) scheduler: scheduleDynamically asks it to re-check held runs.
  facade.bind(makeFixture({ gate: facade.gate }).sched)
  return { facade, assessed: () => assessed }
}

describe('the central scheduler gate', () => {
  it('answers synchronously while the view is fresh, so a fired run starts in the same turn', () => {
    const clock = { now: 10_000 }
    const { facade, assessed } = facadeAt(clock)
    facade.scheduleDynamically({ now: clock.now, gas: {} }, assessment(clock.now))
    clock.now += 4_999
    const d = facade.gate(input())
    expect(d).not.toBeInstanceOf(Promise)
    expect(d).toMatchObject({ action: 'run' })
    expect(assessed()).toBe(0)
  })

  it('refreshes a stale view once for every run asking meanwhile, then decides on the new view', async () => {
    const clock = { now: 10_000 }
    const { facade, assessed } = facadeAt(clock)
    facade.scheduleDynamically({ now: clock.now, gas: {} }, assessment(clock.now))
    clock.now += 5_001
    const a = facade.gate(input({ runId: '1' }))
    const b = facade.gate(input({ runId: '2' }))
    expect(a).toBeInstanceOf(Promise)
    expect(b).toBeInstanceOf(Promise)
    await expect(a).resolves.toMatchObject({ action: 'run' })
    await expect(b).resolves.toMatchObject({ action: 'run' })
    expect(assessed()).toBe(1)
    expect(facade.marketView()?.risk.at).toBe(clock.now)
    expect(facade.gate(input({ runId: '3' }))).toMatchObject({ action: 'run' })
  })

  it('holds before the first assessment only for a critical run that needs no view, and fails on a refresh error', async () => {
    const clock = { now: 10_000 }
    const risk: RiskManager = {
      assessCurrentRisk: async () => {
        throw new Error('rpc down')
      },
      latest: () => null,
    }
    const facade = createCentralScheduler({ risk, now: () => clock.now, policy: CFG })
    expect(facade.gate(input({ priority: 'critical' }))).toEqual({
      action: 'hold',
      reason: 'no market assessment yet',
    })
    await expect(facade.gate(input())).rejects.toThrow('rpc down')
  })

  it('tells of a gas-sensitive decision by the origin run id, the one the run journals its sends under', () => {
    const clock = { now: T0 }
    const told: unknown[][] = []
    const { facade } = facadeAt(clock, (...args) => void told.push(args))
    facade.scheduleDynamically({ now: T0, gas: { 1: gas(30n) } }, { ...assessment(T0), gas: { 1: gas(30n) } })
    const recovered = { runId: '7', originRunId: '3', taskType: 'protocol_call', metadata: { chainId: 1 } }
    const d = facade.gate(input(recovered)) as { action: string }
    expect(d).not.toBeInstanceOf(Promise)
    expect(told).toEqual([
      [
        '3',
        expect.objectContaining({ jobId: 'tick', chainId: 1, gasSensitive: true }),
        expect.objectContaining({ action: d.action }),
        expect.objectContaining({ gas: { 1: gas(30n) } }),
      ],
    ])
    // A run that is not gas-sensitive is not told of.
    facade.gate(input({ runId: '8', originRunId: '8' }))
    expect(told).toHaveLength(1)
  })
})
