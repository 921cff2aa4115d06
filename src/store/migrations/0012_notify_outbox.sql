-- Notification outbox: one row per (event, channel), written in the same process that saw the event and sent by
-- the notifier's own loop, so an alert survives a crash. Payloads are secret-free event JSON; channel secrets
-- (tokens, webhook URLs) stay in environment variables and are never stored.
CREATE TABLE notify_outbox (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  channel     TEXT NOT NULL,
  kind        TEXT NOT NULL,
  severity    TEXT NOT NULL,
  dedup_key   TEXT NOT NULL,
  payload     TEXT NOT NULL,
  -- pending: due at next_at; sending: handed to the channel (a crash here re-sends with the same delivery id);
  -- suppressed: a duplicate or over the channel's rate, counted into a later "N more like this" summary.
  status      TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'suppressed')),
  reason      TEXT,
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER,
  last_error  TEXT,
  summarized  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notify_outbox_due ON notify_outbox (status, next_at);
CREATE INDEX notify_outbox_channel_time ON notify_outbox (channel, created_at);
CREATE INDEX notify_outbox_dedup ON notify_outbox (channel, dedup_key, created_at);

-- How far the notifier has read durable event sources (breaker events, the intent journal), so a restart neither
-- repeats nor skips an alert.
CREATE TABLE notify_cursors (
  name   TEXT PRIMARY KEY,
  value  INTEGER NOT NULL
);
