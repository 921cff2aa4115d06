// A binary min-heap ordered by (at, seq): the single ordered list of everything the scheduler waits for.

/** One heap entry; `seq` keeps equal times in insertion order. */
export interface HeapEntry {
  at: number
  seq: number
}

/** A min-heap of entries ordered by time then insertion sequence. */
export class MinHeap<T extends HeapEntry> {
  private items: T[] = []

  get size(): number {
    return this.items.length
  }

  peek(): T | undefined {
    return this.items[0]
  }

  push(item: T): void {
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!less(a[i]!, a[p]!)) break
      ;[a[i], a[p]] = [a[p]!, a[i]!]
      i = p
    }
  }

  pop(): T | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last !== undefined) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && less(a[l]!, a[m]!)) m = l
        if (r < a.length && less(a[r]!, a[m]!)) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m]!, a[i]!]
        i = m
      }
    }
    return top
  }

  /** Drops entries matching `dead` and rebuilds; used when many entries were cancelled lazily. */
  compact(dead: (item: T) => boolean): void {
    const keep = this.items.filter((x) => !dead(x))
    this.items = []
    for (const x of keep) this.push(x)
  }
}

function less(x: HeapEntry, y: HeapEntry): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq)
}
