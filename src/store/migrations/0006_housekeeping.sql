-- Directories registered for cleanup at run time (config ones are not stored); one row per (directory, pattern).
CREATE TABLE cleanup_targets (
  directory       TEXT NOT NULL,
  pattern         TEXT NOT NULL,
  retention_days  REAL,
  max_files       INTEGER,
  max_size_mb     REAL,
  priority        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (directory, pattern)
);

-- Written by `bot restore`; the next start checks the chains against the restored journal, then clears it.
CREATE TABLE restore_marker (
  restored_at  INTEGER NOT NULL,
  backup_path  TEXT NOT NULL
);
