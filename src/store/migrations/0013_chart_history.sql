-- History behind the dashboard's charts and the gas-timing savings: base-fee and balance samples taken at a bounded
-- rate, the fee each mined transaction paid, and the base fee a gas-delayed run faced when it fell due.
-- Pruned by housekeeping with the run history's retention.
CREATE TABLE history_base_fee (
  chain_id  INTEGER NOT NULL,
  at        INTEGER NOT NULL,                -- ms epoch of the assessment
  base_fee  INTEGER NOT NULL,                -- wei (fits 64 bits for any real base fee)
  PRIMARY KEY (chain_id, at)
) WITHOUT ROWID;

CREATE TABLE history_balance (
  chain_id  INTEGER NOT NULL,
  wallet    TEXT NOT NULL,                   -- lowercase 0x address
  asset     TEXT NOT NULL,                   -- 'native' or the token symbol from the address book
  at        INTEGER NOT NULL,
  amount    TEXT NOT NULL,                   -- base units, decimal string
  units     REAL NOT NULL,                   -- amount in the asset's own units, for charts
  PRIMARY KEY (chain_id, wallet, asset, at)
) WITHOUT ROWID;
CREATE INDEX history_balance_at ON history_balance (at);

-- One row per mined attempt of the intent journal: what it really cost.
CREATE TABLE history_tx_fee (
  intent_id            INTEGER PRIMARY KEY,  -- tx_intents.id
  run_id               TEXT NOT NULL,
  chain_id             INTEGER NOT NULL,
  gas_used             TEXT NOT NULL,
  effective_gas_price  TEXT NOT NULL,        -- wei
  block_base_fee       TEXT NOT NULL,        -- wei, base fee of the block that mined it
  fee_wei              TEXT NOT NULL,        -- gas_used x effective_gas_price
  mined_at             INTEGER NOT NULL      -- ms epoch (block timestamp)
);
CREATE INDEX history_tx_fee_mined ON history_tx_fee (mined_at);
CREATE INDEX history_tx_fee_run ON history_tx_fee (run_id);

-- The base fee when a gas-sensitive run was first delayed by the gas policy (its due time).
CREATE TABLE history_gas_timing (
  run_id        TEXT PRIMARY KEY,
  chain_id      INTEGER NOT NULL,
  due_at        INTEGER NOT NULL,
  due_base_fee  TEXT NOT NULL,               -- wei
  delayed_at    INTEGER NOT NULL
);
CREATE INDEX history_gas_timing_delayed ON history_gas_timing (delayed_at);
