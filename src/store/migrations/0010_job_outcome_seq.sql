-- Completion order of runs that set a job's last outcome (succeeded, failed, cancelled, needs_attention). A run
-- that finishes does not rewrite its job row: the rows catch up in a periodic checkpoint, and after a crash a job's
-- last outcome is derived from its run with the highest outcome_seq above the row's own (completion order, not run
-- id: a run created earlier can finish later).
ALTER TABLE runs ADD COLUMN outcome_seq INTEGER;
ALTER TABLE jobs ADD COLUMN outcome_seq INTEGER NOT NULL DEFAULT 0;
-- Only finished outcome runs carry a number; new numbers are always the highest, so each entry is appended.
CREATE INDEX runs_outcome ON runs (outcome_seq) WHERE outcome_seq IS NOT NULL;
