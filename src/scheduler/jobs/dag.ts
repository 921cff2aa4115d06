// Dependency graph checks: find a cycle (to name it in the error) and order jobs topologically.

/** Returns one cycle as a closed path (e.g. ['a','b','c','a']), or null when the graph is acyclic. */
export function findCycle(deps: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 1 | 2>() // 1 = on the current path, 2 = done
  const path: string[] = []
  const visit = (id: string): string[] | null => {
    const s = state.get(id)
    if (s === 2) return null
    if (s === 1) return [...path.slice(path.indexOf(id)), id]
    state.set(id, 1)
    path.push(id)
    for (const d of deps.get(id) ?? []) {
      const c = visit(d)
      if (c) return c
    }
    path.pop()
    state.set(id, 2)
    return null
  }
  for (const id of [...deps.keys()].sort()) {
    const c = visit(id)
    if (c) return c
  }
  return null
}

/**
 * Returns the cycle through `start` that giving it `deps` would close (e.g. ['a','c','b','a']), or null.
 * Only jobs reachable from `start` are visited, so adding a job to a large schedule stays cheap.
 */
export function findCycleThrough(
  start: string,
  deps: readonly string[],
  depsOf: (id: string) => readonly string[] | undefined,
): string[] | null {
  const seen = new Set<string>()
  const path: string[] = [start]
  const visit = (id: string): boolean => {
    if (id === start) return true
    if (seen.has(id)) return false
    seen.add(id)
    path.push(id)
    for (const d of [...(depsOf(id) ?? [])].sort()) if (visit(d)) return true
    path.pop()
    return false
  }
  for (const d of [...deps].sort()) {
    if (visit(d)) return [...path, start]
  }
  return null
}

/** Orders ids so every job comes after its dependencies (ties by id); assumes no cycle. */
export function topologicalOrder(deps: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const visit = (id: string) => {
    if (seen.has(id)) return
    seen.add(id)
    for (const d of [...(deps.get(id) ?? [])].sort()) if (deps.has(d)) visit(d)
    out.push(id)
  }
  for (const id of [...deps.keys()].sort()) visit(id)
  return out
}
