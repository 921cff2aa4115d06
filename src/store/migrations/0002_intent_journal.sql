-- Intent journal: every transaction the bot signs, recorded with its signed bytes BEFORE it is broadcast.
-- One row per signed attempt; a fee-bump replacement or a cancel is a new row with the same root_id and nonce.
-- Never holds a key: only public data (addresses, calldata, signed raw tx, hashes).
CREATE TABLE tx_intents (
  id                        INTEGER PRIMARY KEY AUTOINCREMENT,
  root_id                   INTEGER,                 -- id of the original (normal) attempt; itself for normal rows
  run_id                    TEXT NOT NULL,
  call_index                INTEGER NOT NULL DEFAULT 0,
  chain_id                  INTEGER NOT NULL,
  from_addr                 TEXT NOT NULL,           -- lowercase 0x address
  nonce                     INTEGER,                 -- NULL only for dry runs
  to_addr                   TEXT NOT NULL,
  value                     TEXT NOT NULL,           -- wei, decimal string
  data                      TEXT NOT NULL,
  data_hash                 TEXT NOT NULL,           -- keccak256 of data
  token_addr                TEXT,                    -- ERC-20 transfer/approve target, for daily token caps
  token_amount              TEXT,
  kind                      TEXT NOT NULL CHECK (kind IN ('normal', 'replacement', 'cancel')),
  status                    TEXT NOT NULL CHECK (status IN ('prepared', 'signed', 'broadcast', 'unknown', 'mined',
                              'confirmed', 'failed', 'dropped', 'replaced', 'needs_attention')),
  dry_run                   INTEGER NOT NULL DEFAULT 0,
  raw_tx                    TEXT,
  tx_hash                   TEXT,
  gas_limit                 TEXT,
  max_fee_per_gas           TEXT,
  max_priority_fee_per_gas  TEXT,
  block_hash                TEXT,
  block_number              INTEGER,
  error                     TEXT,
  valid_until               INTEGER,                 -- ms epoch: past it, an unmined intent is cancelled
  broadcast_count           INTEGER NOT NULL DEFAULT 0,
  created_at                INTEGER NOT NULL,
  updated_at                INTEGER NOT NULL,
  broadcast_at              INTEGER,
  mined_at                  INTEGER
);

-- Exactly one original attempt per (run, call): a retried or re-run handler finds it instead of signing again.
CREATE UNIQUE INDEX tx_intents_run_call ON tx_intents (run_id, call_index) WHERE kind = 'normal' AND dry_run = 0;
CREATE UNIQUE INDEX tx_intents_hash ON tx_intents (tx_hash) WHERE tx_hash IS NOT NULL;
CREATE INDEX tx_intents_root ON tx_intents (root_id);
CREATE INDEX tx_intents_open ON tx_intents (chain_id, from_addr, status);
CREATE INDEX tx_intents_day ON tx_intents (chain_id, from_addr, created_at);
