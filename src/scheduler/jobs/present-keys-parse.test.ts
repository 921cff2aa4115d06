// The present-keys fast path must agree with the full job spec schema on every input it answers.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { jobSpecSchema, parseJobSpec } from './job-spec.ts'
import { EMPTY_ARRAY, EMPTY_OBJECT, presentKeysParser } from './present-keys-parse.ts'

/** A valid and an invalid value for each optional key of a job spec. */
const VALUES: Record<string, [unknown, unknown]> = {
  trigger: [{ type: 'cron', expression: '0 * * * *' }, undefined],
  args: [{ amount: '1' }, { amount: 1n }],
  priority: ['high', 'urgent'],
  dependencies: [['a'], ['']],
  maxRetries: [0, -1],
  retryDelay: [1_000, Number.NaN],
  maxRetryDelay: [5_000, -5],
  timeout: [30_000, 0],
  maxInstances: [2, 0],
  misfireGraceTime: [0, Number.POSITIVE_INFINITY],
  allowPastEvents: [true, 'yes'],
  timezone: ['Europe/Berlin', ''],
  triggerInput: ['daily', undefined],
  maxExecutions: [3, 1.5],
  resources: [{ 'wallet:a': 1 }, { 'wallet:a': 0 }],
  windows: [[{ from: '09:00', to: '17:00' }], []],
  dependencyTimeout: [60_000, -1],
  recovery: ['reconcile', 'retry'],
  enabled: [false, 0],
  metadata: [{ owner: 'ops' }, { owner: () => 'ops' }],
}

function corpus(): unknown[] {
  const base = { id: 'j', taskType: 'noop' }
  const keys = Object.keys(VALUES)
  const out: unknown[] = [
    base,
    { id: 'j' },
    { taskType: 'noop' },
    { id: 'bad id!', taskType: 'noop' },
    { ...base, handler: async () => null },
    { id: 'j', handler: async () => null },
    { ...base, unknownKey: 1 },
    { ...base, taskType: undefined, handler: () => null },
    { ...base, args: {} },
    { ...base, args: undefined, priority: undefined },
    Object.create(base),
    null,
    [],
    'j',
    42,
    Object.assign(Object.create({ inherited: 1 }), base),
  ]
  // Each key alone, valid and invalid, and each pair of keys with every mix of valid and invalid values.
  for (const k of keys) for (const v of VALUES[k]!) out.push({ ...base, [k]: v })
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      for (const [a, b] of [
        [0, 0],
        [0, 1],
        [1, 0],
      ])
        out.push({ ...base, [keys[i]!]: VALUES[keys[i]!]![a!], [keys[j]!]: VALUES[keys[j]!]![b!] })
    }
  }
  return out
}

/** What the parser stands in for: the whole strict object (the exactly-one-task refine is parseJobSpec's). */
const objectSchema = z.strictObject(jobSpecSchema.shape)

describe('presentKeysParser', () => {
  const fast = presentKeysParser<Record<string, unknown>>(jobSpecSchema.shape)

  it('answers only what the full schema accepts, with an equal value, and defers everything else', () => {
    let answered = 0
    for (const input of corpus()) {
      const f = fast(input)
      // Deferred: the full schema decides (and names the fields on failure).
      if (f === undefined) continue
      answered++
      const expected = objectSchema.safeParse(input)
      expect(expected.success).toBe(true)
      expect(f).toEqual(expected.data)
    }
    expect(answered).toBeGreaterThan(200)
  })

  it('defers every input the full schema rejects for a bad value, an unknown key or a missing id', () => {
    let rejected = 0
    for (const input of corpus()) {
      if (objectSchema.safeParse(input).success) continue
      rejected++
      expect(fast(input)).toBeUndefined()
    }
    expect(rejected).toBeGreaterThan(200)
  })

  it('fills absent defaults, sharing one frozen empty object and array', () => {
    const a = fast({ id: 'a', taskType: 'noop' })!
    const b = fast({ id: 'b', taskType: 'noop' })!
    expect(a).toEqual({
      id: 'a',
      taskType: 'noop',
      trigger: { type: 'manual' },
      args: {},
      priority: 'normal',
      dependencies: [],
      maxInstances: 1,
      resources: {},
      enabled: true,
      metadata: {},
    })
    expect(a.args).toBe(EMPTY_OBJECT)
    expect(b.metadata).toBe(EMPTY_OBJECT)
    expect(a.dependencies).toBe(EMPTY_ARRAY)
    // A non-empty default is a fresh object per spec.
    expect(a.trigger).not.toBe(b.trigger)
  })

  it('parseJobSpec gives the same spec and the same errors as the full schema', () => {
    for (const input of corpus()) {
      const expected = jobSpecSchema.safeParse(input)
      if (expected.success) expect(parseJobSpec(input)).toEqual(expected.data)
      else expect(() => parseJobSpec(input)).toThrow(expected.error.issues[0]!.message)
    }
  })
})
