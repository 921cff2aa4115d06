-- Run history is pruned by COALESCE(ended_at, created_at), which this index cannot serve; it only cost every
-- run's start and finish an index write (measured: about a tenth of the scheduler's write time per run).
DROP INDEX IF EXISTS runs_ended;
