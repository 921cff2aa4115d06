-- Loading finds unfinished runs from the `unfinished_from` mark in scheduler_state up (a primary-key range; every
-- run below the mark is finished, which the store checks against the rows whenever the mark moves). The status
-- index served only that load and moved an entry at every run's finish: about half of a finish's write cost.
DROP INDEX IF EXISTS runs_status;
