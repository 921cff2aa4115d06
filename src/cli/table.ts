// Plain-text tables for `bot jobs` and `bot history`: aligned columns, long cells cut, ANSI-aware widths.

/** One column: the row key it shows, its header, and an optional cell formatter. */
export interface Column<R> {
  key: keyof R & string
  header: string
  format?: (value: R[keyof R], row: R) => string
  /** Cells longer than this are cut with an ellipsis (default 48). */
  max?: number
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

/** Visible width of a string (ANSI color codes excluded). */
export function visibleWidth(text: string): number {
  return text.replace(ANSI, '').length
}

function cut(text: string, max: number): string {
  const plain = text.replace(ANSI, '')
  return plain.length <= max ? text : `${plain.slice(0, Math.max(1, max - 1))}…`
}

/** Renders rows as an aligned table (header, a rule, one line per row); empty rows give just `(none)`. */
export function renderTable<R>(columns: Column<R>[], rows: R[], paintHeader: (s: string) => string = (s) => s): string {
  if (rows.length === 0) return '(none)'
  const cells = rows.map((row) =>
    columns.map((c) => {
      const v = row[c.key]
      const text = c.format ? c.format(v, row) : v === null || v === undefined ? '-' : String(v)
      return cut(text.replace(/[\r\n\t]+/g, ' '), c.max ?? 48)
    }),
  )
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => visibleWidth(r[i] as string))))
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - visibleWidth(s)))
  const lines = [
    paintHeader(
      columns
        .map((c, i) => pad(c.header, widths[i] as number))
        .join('  ')
        .trimEnd(),
    ),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((r) =>
      r
        .map((s, i) => pad(s, widths[i] as number))
        .join('  ')
        .trimEnd(),
    ),
  ]
  return lines.join('\n')
}
