// Exact nearest-rank percentiles over bigint samples (base fees are wei integers: no float rounding).

/**
 * Nearest-rank percentile of `sorted` (ascending), `q` in [0, 100]. q=0 is the minimum, q=100 the maximum.
 * Returns null for an empty input, so callers cannot mistake "no data" for a zero fee.
 */
export function percentileOfSorted(sorted: readonly bigint[], q: number): bigint | null {
  if (sorted.length === 0) return null
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile must be within 0..100, got ${q}`)
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1] ?? null
}

/** Sorts a copy of `values` ascending with bigint comparison. */
export function sortBigints(values: Iterable<bigint>): bigint[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
