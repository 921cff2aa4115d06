// The chart-history endpoints, answered in the HTTP worker from its read-only connection to the state file: each
// takes `?since=` (ms epoch or ISO time, default the last 24 h) and a bounded number of points.
import { z } from 'zod'
import {
  baseFeeSeries,
  balanceSeries,
  gasPerDay,
  runsPerHour,
  savingsReport,
  sendMarks,
  transactions,
  type ChartSettings,
} from '../history/index.ts'
import type { Db } from '../store/database.ts'
import type { ReportBook } from '../bot/report-format.ts'
import { recentTxViews } from '../bot/tx-report.ts'
import { InvalidInputError } from '../control/control-errors.ts'
import type { Authed } from './api-routes.ts'
import { createRouter, validate, type Req } from './http-kit.ts'

export const MAX_POINTS = 1_000
const DAY_MS = 86_400_000
const points = z.coerce
  .number({ error: `expected an integer 2-${MAX_POINTS}` })
  .int({ error: `expected an integer 2-${MAX_POINTS}` })
  .min(2, { error: `expected an integer 2-${MAX_POINTS}` })
  .max(MAX_POINTS, { error: `expected an integer 2-${MAX_POINTS} (the charts downsample to it)` })
  .default(200)
const since = z.string().max(40).optional()
const windowQuery = z.strictObject({ since, points })
const txQuery = z.strictObject({
  since,
  limit: z.coerce
    .number({ error: 'expected an integer 1-500' })
    .int({ error: 'expected an integer 1-500' })
    .min(1, { error: 'expected an integer 1-500' })
    .max(500, { error: 'expected an integer 1-500' })
    .default(50),
})

/** Parses `since`: digits are ms since the epoch, anything else an ISO 8601 time; it must not be in the future. */
export function parseSince(raw: string | undefined, now: number): number {
  if (raw === undefined) return now - DAY_MS
  const ms = /^\d+$/.test(raw) ? Number(raw) : /^\d{4}-\d\d-\d\d/.test(raw) ? Date.parse(raw) : Number.NaN
  if (!Number.isSafeInteger(ms) || ms > now) {
    const issue = {
      field: 'query.since',
      message: 'expected a past time: ms since the epoch or an ISO time such as 2026-01-31T00:00:00Z',
    }
    throw new InvalidInputError(`${issue.field}: ${issue.message}`, undefined, { issues: [issue] })
  }
  return ms
}

/** Adds the GET /api/history/* routes; `reader` authorizes each like every other read. */
export function addHistoryRoutes(
  r: ReturnType<typeof createRouter>,
  reader: Authed,
  db: Db,
  settings: ChartSettings | undefined,
  now: () => number = Date.now,
  reports?: ReportBook,
) {
  const s: ChartSettings = settings ?? { caps: [], dailyGasBudgetWei: {}, dailyNativeCapWei: {}, explorers: {} }
  const q = (req: Req) => Object.fromEntries(req.query)
  const win = (req: Req) => {
    const v = validate(windowQuery, q(req), 'query')
    const until = now()
    return { since: parseSince(v.since, until), until, points: v.points }
  }
  const read = (path: string, fn: (req: Req) => unknown) =>
    r.add('GET', path, (req) => {
      reader(req)
      return fn(req)
    })
  read('/api/history/base-fees', (req) => {
    const w = win(req)
    return { ...w, series: baseFeeSeries(db, w), marks: sendMarks(db, w), caps: s.caps }
  })
  read('/api/history/gas-spend', (req) => {
    const w = win(req)
    return {
      ...w,
      days: gasPerDay(db, w),
      dailyGasBudgetWei: s.dailyGasBudgetWei,
      dailyNativeCapWei: s.dailyNativeCapWei,
    }
  })
  read('/api/history/balances', (req) => {
    const w = win(req)
    return { ...w, lines: balanceSeries(db, w) }
  })
  read('/api/history/runs', (req) => {
    const w = win(req)
    return { ...w, hours: runsPerHour(db, w) }
  })
  read('/api/history/transactions', (req) => {
    const v = validate(txQuery, q(req), 'query')
    const from = parseSince(v.since, now())
    // With the book, each row also names its contract, function, amounts and fee (same fields otherwise).
    const rows = reports ? recentTxViews(db, reports, from, v.limit) : transactions(db, from, v.limit)
    return { transactions: rows, explorers: s.explorers }
  })
  read('/api/history/savings', () => ({ savings: savingsReport(db, now()) }))
}
