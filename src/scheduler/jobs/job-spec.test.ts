// The persisted form of a job spec: compact (defaults left out) and read back to the same spec.
import { describe, expect, it } from 'vitest'
import { TaskSchedulingError } from '../errors.ts'
import { parseJobSpec, specToJson } from './job-spec.ts'

const roundTrip = (input: unknown) => parseJobSpec(JSON.parse(specToJson(parseJobSpec(input))))

describe('specToJson', () => {
  it('leaves out fields at their defaults, and the trigger input when it says the same as the trigger', () => {
    const spec = parseJobSpec({ id: 'a', taskType: 'noop', trigger: { type: 'cron', expression: '0 * * * *' } })
    spec.triggerInput = { type: 'cron', expression: '0 * * * *' }
    expect(JSON.parse(specToJson(spec))).toEqual({
      id: 'a',
      taskType: 'noop',
      trigger: { type: 'cron', expression: '0 * * * *' },
    })
    expect(roundTrip({ id: 'a', taskType: 'noop' })).toEqual(parseJobSpec({ id: 'a', taskType: 'noop' }))
  })

  it('keeps every field that differs from its default, so the spec reads back equal', () => {
    const input = {
      id: 'full',
      taskType: 'swap',
      trigger: 'daily_at_09:30',
      args: { amount: '1' },
      priority: 'high',
      dependencies: ['x'],
      maxRetries: 0,
      retryDelay: 0,
      maxRetryDelay: 5_000,
      timeout: 30_000,
      maxInstances: 2,
      misfireGraceTime: 0,
      allowPastEvents: false,
      timezone: 'Europe/Berlin',
      triggerInput: 'daily_at_09:30 ',
      maxExecutions: 3,
      resources: { 'wallet:a': 1 },
      windows: [{ from: '09:00', to: '17:00' }],
      dependencyTimeout: 60_000,
      recovery: 'reconcile',
      enabled: false,
      metadata: { owner: 'ops' },
    }
    const spec = parseJobSpec(input)
    expect(roundTrip(input)).toEqual(spec)
    // Zero and false are values, not absences: they must survive.
    expect(JSON.parse(specToJson(spec))).toMatchObject({
      maxRetries: 0,
      retryDelay: 0,
      misfireGraceTime: 0,
      allowPastEvents: false,
      enabled: false,
    })
  })

  it('rejects args and metadata that JSON cannot hold, naming where, since the spec is stored after addJob returns', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const cases: [unknown, RegExp][] = [
      [{ args: { amount: 10n } }, /args\.amount is a bigint/],
      [{ args: { steps: [1, Number.NaN] } }, /args\.steps\[1\] is NaN/],
      [{ args: { at: new Date(0) } }, /args\.at is a Date instance/],
      [{ args: cyclic }, /args\.self refers back to itself/],
      [{ metadata: { owner: () => 'ops' } }, /metadata\.owner: value is a function/],
    ]
    for (const [extra, message] of cases) {
      const bad = () => parseJobSpec({ id: 'j', taskType: 'noop', ...(extra as object) })
      expect(bad).toThrow(TaskSchedulingError)
      expect(bad).toThrow(message)
    }
    // Shared (not cyclic) objects and nested plain JSON are fine.
    const shared = { x: 1 }
    expect(
      parseJobSpec({ id: 'j', taskType: 'noop', args: { a: shared, b: shared, list: [null, 'x', { y: true }] } }).args,
    ).toEqual({ a: { x: 1 }, b: { x: 1 }, list: [null, 'x', { y: true }] })
  })

  it('never writes an inline handler', () => {
    const spec = parseJobSpec({ id: 'inline', handler: async () => null })
    expect(specToJson(spec)).not.toContain('handler')
  })
})
