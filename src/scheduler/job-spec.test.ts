// The persisted form of a job spec: compact (defaults left out) and read back to the same spec.
import { describe, expect, it } from 'vitest'
import { parseJobSpec, specToJson } from './job-spec.ts'

const roundTrip = (input: unknown) => parseJobSpec(JSON.parse(specToJson(parseJobSpec(input))))

describe('specToJson', () => {
  it('leaves out fields at their defaults, and the trigger input when it says the same as the trigger', () => {
    const spec = parseJobSpec({ id: 'a', taskType: 'noop', trigger: { type: 'cron', expression: '0 * * * *' } })
    spec.triggerInput = { type: 'cron', expression: '0 * * * *' }
    expect(JSON.parse(specToJson(spec))).toEqual({ id: 'a', taskType: 'noop', trigger: { type: 'cron', expression: '0 * * * *' } })
    expect(roundTrip({ id: 'a', taskType: 'noop' })).toEqual(parseJobSpec({ id: 'a', taskType: 'noop' }))
  })

  it('keeps every field that differs from its default, so the spec reads back equal', () => {
    const input = {
      id: 'full', taskType: 'swap', trigger: 'daily_at_09:30', args: { amount: '1' }, priority: 'high', dependencies: ['x'],
      maxRetries: 0, retryDelay: 0, maxRetryDelay: 5_000, timeout: 30_000, maxInstances: 2, misfireGraceTime: 0,
      allowPastEvents: false, timezone: 'Europe/Berlin', triggerInput: 'daily_at_09:30 ', maxExecutions: 3,
      resources: { 'wallet:a': 1 }, windows: [{ from: '09:00', to: '17:00' }], dependencyTimeout: 60_000,
      recovery: 'reconcile', enabled: false, metadata: { owner: 'ops' },
    }
    const spec = parseJobSpec(input)
    expect(roundTrip(input)).toEqual(spec)
    // Zero and false are values, not absences: they must survive.
    expect(JSON.parse(specToJson(spec))).toMatchObject({ maxRetries: 0, retryDelay: 0, misfireGraceTime: 0, allowPastEvents: false, enabled: false })
  })

  it('never writes an inline handler', () => {
    const spec = parseJobSpec({ id: 'inline', handler: async () => null })
    expect(specToJson(spec)).not.toContain('handler')
  })
})
