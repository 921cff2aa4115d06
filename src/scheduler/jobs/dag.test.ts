// Cycle detection and topological order of the dependency graph.
import { describe, expect, it } from 'vitest'
import { findCycle, findCycleThrough, topologicalOrder } from './dag.ts'

describe('dag', () => {
  const g = new Map<string, string[]>([
    ['a', []],
    ['b', ['a']],
    ['c', ['b']],
    ['d', ['a', 'c']],
  ])
  it('orders dependencies first', () => {
    const order = topologicalOrder(g)
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('b'))
    expect(order.indexOf('c')).toBeLessThan(order.indexOf('d'))
    expect(order).toHaveLength(4)
  })
  it('names the cycle a new edge would close, or none', () => {
    expect(findCycleThrough('a', ['d'], (id) => g.get(id))).toEqual(['a', 'd', 'a'])
    expect(findCycleThrough('e', ['d'], (id) => g.get(id))).toBeNull()
    expect(findCycle(new Map([...g, ['a', ['c']]]))).toEqual(['a', 'c', 'b', 'a'])
    expect(findCycle(g)).toBeNull()
  })
})
