-- Scheduler state: jobs with their schedule state, runs (execution history), failed attempts, key/value state.
CREATE TABLE jobs (
  id            TEXT PRIMARY KEY,
  task_type     TEXT NOT NULL,
  spec_json     TEXT NOT NULL,
  enabled       INTEGER NOT NULL DEFAULT 1,
  paused        INTEGER NOT NULL DEFAULT 0,
  priority      TEXT NOT NULL,
  next_fire_at  INTEGER,
  last_fire_at  INTEGER,
  executions    INTEGER NOT NULL DEFAULT 0,
  last_outcome  TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE runs (
  id             INTEGER PRIMARY KEY,
  job_id         TEXT NOT NULL,
  status         TEXT NOT NULL,
  origin         TEXT NOT NULL,
  scheduled_for  INTEGER,
  created_at     INTEGER NOT NULL,
  started_at     INTEGER,
  ended_at       INTEGER,
  attempt        INTEGER NOT NULL DEFAULT 0,
  error          TEXT,
  result_json    TEXT,
  args_json      TEXT,
  reason         TEXT,
  gate_action    TEXT,
  gate_reason    TEXT,
  gate_until     INTEGER,
  missed_count   INTEGER,
  recovered_from INTEGER,
  recovery       TEXT
);
CREATE INDEX runs_job ON runs (job_id, id);
CREATE INDEX runs_status ON runs (status, id);
CREATE INDEX runs_ended ON runs (ended_at);

CREATE TABLE run_attempts (
  run_id      INTEGER NOT NULL,
  attempt     INTEGER NOT NULL,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER NOT NULL,
  error       TEXT,
  PRIMARY KEY (run_id, attempt)
) WITHOUT ROWID;

CREATE TABLE scheduler_state (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;
