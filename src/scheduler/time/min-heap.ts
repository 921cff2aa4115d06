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

  // Sifts move a hole instead of swapping: a destructuring swap allocated an array per level (~680 B per pop of a
  // 10,000-entry heap, on the hot path of every fire).
  push(item: T): void {
    const a = this.items
    let i = a.length
    a.push(item)
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = a[p]!
      if (!less(item, parent)) break
      a[i] = parent
      i = p
    }
    a[i] = item
  }

  pop(): T | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    const n = a.length
    if (n > 0 && last !== undefined) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && less(a[r]!, a[l]!) ? r : l
        const child = a[c]!
        if (!less(child, last)) break
        a[i] = child
        i = c
      }
      a[i] = last
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
