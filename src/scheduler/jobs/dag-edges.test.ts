// Dependency graph edges: exact cycle paths, deterministic order, diamonds and unknown dependencies.
import { describe, expect, it } from 'vitest'
import { findCycle, findCycleThrough, topologicalOrder } from './dag.ts'

const graph = (entries: [string, string[]][]) => new Map<string, string[]>(entries)

describe('findCycle', () => {
  it('a diamond is not a cycle', () => {
    const diamond = graph([
      ['a', ['b', 'c']],
      ['b', ['d']],
      ['c', ['d']],
      ['d', []],
    ])
    expect(findCycle(diamond)).toBeNull()
  })

  it('names only the jobs on the cycle, not finished branches visited before it', () => {
    const g = graph([
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['c', []],
      ['d', ['b']],
    ])
    expect(findCycle(g)).toEqual(['b', 'd', 'b'])
  })

  it('reports the cycle of the first job by id, whatever the insertion order', () => {
    const g = graph([
      ['z', ['y']],
      ['y', ['z']],
      ['a', ['b']],
      ['b', ['a']],
    ])
    expect(findCycle(g)).toEqual(['a', 'b', 'a'])
  })

  it('finds a cycle among later jobs when the first ones are acyclic', () => {
    const g = graph([
      ['a', []],
      ['b', ['c']],
      ['c', ['b']],
    ])
    expect(findCycle(g)).toEqual(['b', 'c', 'b'])
  })

  it('a dependency on an unknown job closes no cycle', () => {
    expect(findCycle(graph([['a', ['x']]]))).toBeNull()
  })

  it('a job depending on itself is a cycle of one', () => {
    expect(findCycle(graph([['a', ['a']]]))).toEqual(['a', 'a'])
  })
})

describe('findCycleThrough', () => {
  it('takes the first way back by id, among the new dependencies and theirs', () => {
    const g = graph([
      ['b', ['z', 'y']],
      ['c', ['a']],
      ['y', ['a']],
      ['z', ['a']],
    ])
    expect(findCycleThrough('a', ['c', 'b'], (id) => g.get(id))).toEqual(['a', 'b', 'y', 'a'])
  })

  it('the path leaves out dead ends explored on the way', () => {
    const g = graph([
      ['b', ['c', 'd']],
      ['c', []],
      ['d', ['a']],
    ])
    expect(findCycleThrough('a', ['b'], (id) => g.get(id))).toEqual(['a', 'b', 'd', 'a'])
  })

  it('a cycle that does not pass through the new job is not its cycle, and ends', () => {
    const g = graph([
      ['b', ['c']],
      ['c', ['b']],
    ])
    expect(findCycleThrough('a', ['b'], (id) => g.get(id))).toBeNull()
  })

  it('depending on itself, and on unknown jobs', () => {
    expect(findCycleThrough('a', ['a'], () => undefined)).toEqual(['a', 'a'])
    expect(findCycleThrough('a', ['x'], () => undefined)).toBeNull()
  })
})

describe('topologicalOrder', () => {
  it('is exact: dependencies first, ties by id, each job once', () => {
    const g = graph([
      ['d', ['c', 'a']],
      ['c', ['b']],
      ['b', ['a']],
      ['a', []],
      ['e', ['b', 'a']],
    ])
    expect(topologicalOrder(g)).toEqual(['a', 'b', 'c', 'd', 'e'])
    const flat = graph([
      ['c', []],
      ['a', ['c', 'b']],
      ['b', []],
    ])
    expect(topologicalOrder(flat)).toEqual(['b', 'c', 'a'])
  })

  it('leaves out dependencies that are not jobs of the graph', () => {
    expect(topologicalOrder(graph([['b', ['x']]]))).toEqual(['b'])
  })
})
