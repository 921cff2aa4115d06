-- Scheduler tables on PostgreSQL: the same columns and meaning as src/store/migrations/0001_scheduler.sql.
-- Times are epoch milliseconds (BIGINT), flags are BOOLEAN.
CREATE TABLE jobs (
  id            TEXT PRIMARY KEY,
  task_type     TEXT NOT NULL,
  spec_json     TEXT NOT NULL,
  enabled       BOOLEAN NOT NULL DEFAULT TRUE,
  paused        BOOLEAN NOT NULL DEFAULT FALSE,
  priority      TEXT NOT NULL,
  next_fire_at  BIGINT,
  last_fire_at  BIGINT,
  executions    BIGINT NOT NULL DEFAULT 0,
  last_outcome  TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);

CREATE TABLE runs (
  id             BIGINT PRIMARY KEY,
  job_id         TEXT NOT NULL,
  status         TEXT NOT NULL,
  origin         TEXT NOT NULL,
  scheduled_for  BIGINT,
  created_at     BIGINT NOT NULL,
  started_at     BIGINT,
  ended_at       BIGINT,
  attempt        INTEGER NOT NULL DEFAULT 0,
  error          TEXT,
  result_json    TEXT,
  args_json      TEXT,
  reason         TEXT,
  gate_action    TEXT,
  gate_reason    TEXT,
  gate_until     BIGINT,
  missed_count   BIGINT,
  recovered_from BIGINT,
  recovery       TEXT
);
CREATE INDEX runs_job ON runs (job_id, id);
CREATE INDEX runs_status ON runs (status, id);
CREATE INDEX runs_ended ON runs (ended_at);

CREATE TABLE run_attempts (
  run_id      BIGINT NOT NULL,
  attempt     INTEGER NOT NULL,
  started_at  BIGINT NOT NULL,
  ended_at    BIGINT NOT NULL,
  error       TEXT,
  PRIMARY KEY (run_id, attempt)
);

CREATE TABLE scheduler_state (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
