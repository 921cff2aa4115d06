-- The highest run id whose effect on the job's fire state (last fire, executions, next fire) the row holds.
-- A fire that creates a run does not rewrite the job row: the row catches up when the run finishes, and after a
-- crash the fire state is derived from the job's schedule runs above this id (the run row is the durable fact).
ALTER TABLE jobs ADD COLUMN state_run_id INTEGER NOT NULL DEFAULT 0;
-- Before this migration every fire rewrote its job row in the run's own transaction: existing rows reflect every
-- run there is, and none of those runs may be applied again.
UPDATE jobs SET state_run_id = (SELECT COALESCE(MAX(id), 0) FROM runs);
