-- Per event-triggered job: whether its condition held at the last look (edge detection) and the last block scanned.
CREATE TABLE event_trigger_state (
  job_id      TEXT PRIMARY KEY,
  satisfied   INTEGER,
  last_block  INTEGER,
  updated_at  INTEGER NOT NULL
);
