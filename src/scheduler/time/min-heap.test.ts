// The timeline's heap: entries come out by time, then insertion order, through any mix of pushes and pops.
import { describe, expect, it } from 'vitest'
import { MinHeap } from './min-heap.ts'

describe('MinHeap', () => {
  it('pops in (at, seq) order through random interleaved pushes and pops, with many equal times', () => {
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const heap = new MinHeap<{ at: number; seq: number }>()
    const model: { at: number; seq: number }[] = []
    let seq = 0
    for (let step = 0; step < 20_000; step++) {
      if (random() < 0.55 || model.length === 0) {
        const e = { at: Math.floor(random() * 50), seq: seq++ }
        heap.push(e)
        model.push(e)
      } else {
        model.sort((x, y) => x.at - y.at || x.seq - y.seq)
        expect(heap.pop()).toBe(model.shift())
      }
      expect(heap.size).toBe(model.length)
    }
    model.sort((x, y) => x.at - y.at || x.seq - y.seq)
    for (const e of model) expect(heap.pop()).toBe(e)
    expect(heap.pop()).toBeUndefined()
  })

  it('compact drops the matching entries and keeps the order of the rest', () => {
    const heap = new MinHeap<{ at: number; seq: number }>()
    for (let i = 0; i < 100; i++) heap.push({ at: 100 - i, seq: i })
    heap.compact((e) => e.at % 2 === 0)
    const out: number[] = []
    for (let e = heap.pop(); e; e = heap.pop()) out.push(e.at)
    expect(out).toEqual(Array.from({ length: 50 }, (_, k) => 2 * k + 1))
  })
})
