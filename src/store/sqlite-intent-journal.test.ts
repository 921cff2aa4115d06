// The journal conformance suite on a real SQLite file with the real migrations.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeJournalConformance } from '../chain/journal-conformance.ts'
import { openDatabase } from './database.ts'
import { createIntentJournal } from './sqlite-intent-journal.ts'

describeJournalConformance('sqlite', async (now) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-conf-'))
  const db = openDatabase({ path: join(dir, 'state.db') })
  return {
    journal: createIntentJournal(db, { now }),
    close: () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
