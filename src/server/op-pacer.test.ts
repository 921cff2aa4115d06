import { describe, expect, it } from 'vitest'
import { createOpPacer } from './op-pacer.ts'

const drained = (p: { size: number }) =>
  new Promise<void>((resolve) => {
    const check = () => (p.size === 0 ? setTimeout(resolve, 5) : setTimeout(check, 1))
    check()
  })

describe('op pacer', () => {
  it('runs calls in order, never inside push', async () => {
    const pacer = createOpPacer({ nextWakeAt: () => null })
    const order: string[] = []
    pacer.push(() => order.push('a'))
    pacer.push(() => order.push('b'))
    order.push('pushed')
    pacer.push(() => order.push('c'))
    await drained(pacer)
    expect(order).toEqual(['pushed', 'a', 'b', 'c'])
  })

  it('serves one call per event-loop turn: work queued by a call runs before the next call', async () => {
    const pacer = createOpPacer({ nextWakeAt: () => null })
    const order: string[] = []
    pacer.push(() => {
      order.push('a')
      setImmediate(() => order.push('between'))
    })
    pacer.push(() => order.push('b'))
    await drained(pacer)
    expect(order).toEqual(['a', 'between', 'b'])
  })

  it('holds calls while a timer is due within the guard, and starts them after it', async () => {
    const wake = Date.now() + 15
    const pacer = createOpPacer({ nextWakeAt: () => (Date.now() <= wake ? wake : null), guardMs: 20 })
    let startedAt = 0
    pacer.push(() => (startedAt = Date.now()))
    await drained(pacer)
    expect(startedAt).toBeGreaterThan(wake)
  })

  it('serves a call after maxHoldMs even when a timer stays due (a paused timeline)', async () => {
    const pacer = createOpPacer({ nextWakeAt: () => Date.now(), maxHoldMs: 10 })
    let ran = false
    pacer.push(() => (ran = true))
    await drained(pacer)
    expect(ran).toBe(true)
  })
})
