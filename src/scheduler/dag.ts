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
