-- Several bot instances on one database: instance registry, job-group leases, run ids from a sequence, hand-offs
-- of manual runs, shared controls, nonce-lane leases and the intent journal (so a lane's next owner sees its
-- open intents). Times are epoch milliseconds.

-- Run ids come from here in blocks of 1,000 (one nextval per block), so instances never pick the same id.
CREATE SEQUENCE run_id_blocks INCREMENT BY 1000 MINVALUE 1 START 1;
SELECT setval('run_id_blocks', COALESCE((SELECT MAX(id) FROM runs), 0) + 1, false);

CREATE TABLE cluster_instances (
  id           TEXT PRIMARY KEY,
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  lease_until  BIGINT NOT NULL
);

-- A job group (its jobs joined by dependencies, outcome triggers and a shared wallet) runs on its owner only.
CREATE TABLE job_groups (
  grp          TEXT PRIMARY KEY,
  job_ids      TEXT NOT NULL,                  -- JSON array of the group's job ids
  owner        TEXT,
  lease_until  BIGINT NOT NULL DEFAULT 0,
  taken_at     BIGINT
);
CREATE INDEX job_groups_owner ON job_groups (owner);

-- A manual run created on an instance that does not own its job's group, waiting for the owner to take it.
CREATE TABLE run_handoffs (
  run_id  BIGINT PRIMARY KEY,
  grp     TEXT NOT NULL
);
CREATE INDEX run_handoffs_grp ON run_handoffs (grp);

-- Pause, resume, priority, enable and disable as made on any instance; every instance applies each change once.
CREATE TABLE cluster_controls (
  seq       BIGSERIAL PRIMARY KEY,
  job_id    TEXT,
  action    TEXT NOT NULL,
  value     TEXT,
  by_instance TEXT NOT NULL,
  at        BIGINT NOT NULL
);

-- One sender per (chain, wallet) nonce lane at a time.
CREATE TABLE lane_leases (
  chain_id     BIGINT NOT NULL,
  wallet       TEXT NOT NULL,
  owner        TEXT NOT NULL,
  lease_until  BIGINT NOT NULL,
  PRIMARY KEY (chain_id, wallet)
);

-- Fails (SQLSTATE BL001) unless the instance holds the lane's lease now: every journal write of a new attempt
-- calls it in the same transaction, so an instance whose lease lapsed cannot record (and so cannot send).
CREATE FUNCTION assert_lane_owner(p_chain BIGINT, p_wallet TEXT, p_owner TEXT, p_now BIGINT) RETURNS VOID AS $$
BEGIN
  PERFORM 1 FROM lane_leases WHERE chain_id = p_chain AND wallet = p_wallet AND owner = p_owner AND lease_until > p_now FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'instance % does not hold the nonce lane of % on chain %', p_owner, p_wallet, p_chain USING ERRCODE = 'BL001';
  END IF;
END $$ LANGUAGE plpgsql;

-- The intent journal: the same columns and meaning as src/store/migrations/0002_intent_journal.sql.
CREATE TABLE tx_intents (
  id                        BIGSERIAL PRIMARY KEY,
  root_id                   BIGINT,
  run_id                    TEXT NOT NULL,
  call_index                INTEGER NOT NULL DEFAULT 0,
  chain_id                  BIGINT NOT NULL,
  from_addr                 TEXT NOT NULL,
  nonce                     BIGINT,
  to_addr                   TEXT NOT NULL,
  value                     NUMERIC(78) NOT NULL,
  data                      TEXT NOT NULL,
  data_hash                 TEXT NOT NULL,
  token_addr                TEXT,
  token_amount              NUMERIC(78),
  kind                      TEXT NOT NULL CHECK (kind IN ('normal', 'replacement', 'cancel')),
  status                    TEXT NOT NULL CHECK (status IN ('prepared', 'signed', 'broadcast', 'unknown', 'mined',
                              'confirmed', 'failed', 'dropped', 'replaced', 'needs_attention')),
  dry_run                   BOOLEAN NOT NULL DEFAULT FALSE,
  raw_tx                    TEXT,
  tx_hash                   TEXT,
  gas_limit                 NUMERIC(78),
  max_fee_per_gas           NUMERIC(78),
  max_priority_fee_per_gas  NUMERIC(78),
  block_hash                TEXT,
  block_number              BIGINT,
  error                     TEXT,
  valid_until               BIGINT,
  broadcast_count           INTEGER NOT NULL DEFAULT 0,
  created_at                BIGINT NOT NULL,
  updated_at                BIGINT NOT NULL,
  broadcast_at              BIGINT,
  mined_at                  BIGINT
);
CREATE UNIQUE INDEX tx_intents_run_call ON tx_intents (run_id, call_index) WHERE kind = 'normal' AND NOT dry_run;
CREATE UNIQUE INDEX tx_intents_hash ON tx_intents (tx_hash) WHERE tx_hash IS NOT NULL;
CREATE INDEX tx_intents_root ON tx_intents (root_id);
CREATE INDEX tx_intents_open ON tx_intents (chain_id, from_addr, status);
CREATE INDEX tx_intents_day ON tx_intents (chain_id, from_addr, created_at);

-- The circuit breaker's shared view: a trip or halt on one instance halts all.
CREATE TABLE cluster_breaker (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  state        TEXT NOT NULL CHECK (state IN ('closed', 'open')),
  reason       TEXT,
  by_instance  TEXT,
  version      BIGINT NOT NULL,
  at           BIGINT NOT NULL
);
INSERT INTO cluster_breaker (id, state, version, at) VALUES (1, 'closed', 0, 0);
