// GET /api/runs/:id: one run with what it sent, formatted like `bot history` (names, amounts, fees, explorer links).
import type { ReportBook } from '../bot/report-format.ts'
import { sendKeysOf, txViewsOfRuns } from '../bot/tx-report.ts'
import type { Db } from '../store/database.ts'
import type { Authed, OpsClient } from './api-routes.ts'
import { InvalidInputError } from '../control/control-errors.ts'
import { createRouter } from './http-kit.ts'

/**
 * Adds the run-detail route: the run from the scheduler's thread (any run store), its transactions from the state
 * file's intent journal on this thread, each with exact base units next to the formatted text.
 */
export function addRunDetailRoute(
  r: ReturnType<typeof createRouter>,
  reader: Authed,
  ops: OpsClient,
  db: Db,
  reports: ReportBook | undefined,
): void {
  r.add('GET', '/api/runs/:id', async (req) => {
    reader(req)
    const id = req.params.id ?? ''
    if (!/^\d{1,18}$/.test(id)) {
      const issue = { field: 'path.id', message: 'expected a run id (digits), as GET /api/runs lists them' }
      throw new InvalidInputError(`${issue.field}: ${issue.message}`, undefined, { issues: [issue] })
    }
    const run = (await ops.read('run', { id })) as { recoveredFrom?: number | null } | null
    const keys = sendKeysOf({ id, recoveredFrom: run?.recoveredFrom })
    return { run, transactions: txViewsOfRuns(db, reports ?? { book: {} }, keys) }
  })
}
