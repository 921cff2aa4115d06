-- Risk state: circuit-breaker state and its append-only event log, failure counter, daily gas spend, portfolio peak.
CREATE TABLE IF NOT EXISTS risk_breaker_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  state TEXT NOT NULL CHECK (state IN ('closed', 'open')),
  causes TEXT NOT NULL DEFAULT '[]',          -- JSON array of {kind, detail}
  opened_at INTEGER,                          -- ms since epoch, NULL when closed
  manual_halt TEXT,                           -- reason of a manual halt, NULL when none
  updated_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS risk_breaker_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,                        -- ms since epoch (the breaker's clock)
  kind TEXT NOT NULL CHECK (kind IN ('trip', 'cause_added', 'reset', 'manual_halt', 'manual_release')),
  causes TEXT NOT NULL DEFAULT '[]',
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS risk_breaker_events_at ON risk_breaker_events (at);

CREATE TABLE IF NOT EXISTS risk_counters (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,                        -- decimal string (bigint-safe)
  updated_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS risk_gas_spend (
  day TEXT NOT NULL,                          -- UTC day YYYY-MM-DD
  chain_id INTEGER NOT NULL,
  wei TEXT NOT NULL,                          -- decimal string of the summed fee paid in wei
  PRIMARY KEY (day, chain_id)
);
