-- Operator access: an append-only audit log of every mutation (HTTP API, MCP, CLI) and API tokens stored only as
-- hashes with a role. Who did what, when, and how it ended, so an operator can answer "why did the bot do that?".
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,                        -- ms since epoch
  actor TEXT NOT NULL,                        -- token name (never the token), 'cli', 'mcp:<token name>', 'system'
  role TEXT,                                  -- viewer | operator | admin, NULL when unauthenticated
  source TEXT NOT NULL,                       -- http | mcp | cli | system
  action TEXT NOT NULL,                       -- e.g. job.run, job.enable, scheduler.pause, breaker.reset
  target TEXT,                                -- e.g. a job id or preset name
  params_json TEXT,                           -- validated, secret-free parameters
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'invalid', 'error', 'rate_limited')),
  detail TEXT                                 -- error message or result summary (secret-free)
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);

CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,                        -- short public id shown in listings
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  token_hash TEXT NOT NULL UNIQUE,            -- sha256 hex of the token; the token itself is never stored
  created_at INTEGER NOT NULL,
  revoked_at INTEGER                          -- NULL while valid
);
