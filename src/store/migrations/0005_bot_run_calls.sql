-- The exact calls an adapter built for a run, pinned before the first send so a retry or a crash recovery
-- sends the same calls at the same indexes (never a rebuilt, different list) and the journal dedupes them.
CREATE TABLE IF NOT EXISTS bot_run_calls (
  run_id TEXT PRIMARY KEY,
  adapter TEXT NOT NULL,
  calls_json TEXT NOT NULL,
  snapshot_json TEXT,
  created_at INTEGER NOT NULL
);
