// The lazy abort switch: a signal read after the abort is already aborted; the listener hears it once.
import { describe, expect, it } from 'vitest'
import { LazyAbort } from './lazy-abort.ts'

describe('LazyAbort', () => {
  it('makes its signal only when read, aborted with the reason if the abort came first', () => {
    const a = new LazyAbort()
    const reason = new Error('cancelled')
    a.abort(reason)
    expect(a.aborted).toBe(true)
    expect(a.signal.aborted).toBe(true)
    expect(a.signal.reason).toBe(reason)
  })

  it('fires a signal read before the abort, and its one listener once', () => {
    const a = new LazyAbort()
    const signal = a.signal
    const heard: unknown[] = []
    a.listen({ onAbort: (r) => void heard.push(r) })
    a.abort('first')
    a.abort('second')
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBe('first')
    expect(heard).toEqual(['first'])
  })

  it('tells a cleared listener nothing', () => {
    const a = new LazyAbort()
    const heard: unknown[] = []
    a.listen({ onAbort: (r) => void heard.push(r) })
    a.listen(null)
    a.abort('x')
    expect(heard).toEqual([])
  })
})
