-- +goose Up
-- Billing data: rate cards in versions, CDRs, payments and the ledger.
-- Money columns are BIGINT millionths of the currency unit.

CREATE TABLE ratecards (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    currency        TEXT NOT NULL,
    direction       TEXT NOT NULL,
    charge_decimals INTEGER NOT NULL DEFAULT 6,
    rounding        TEXT NOT NULL DEFAULT 'half_up',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- Every load of a deck is a version; earlier versions stay, so calls are
-- rated by the rows in force at their start.
CREATE TABLE ratecard_versions (
    id          INTEGER PRIMARY KEY,
    ratecard_id INTEGER NOT NULL REFERENCES ratecards(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    row_count   INTEGER NOT NULL,
    checksum    TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (ratecard_id, version)
);

CREATE TABLE rates (
    id             INTEGER PRIMARY KEY,
    version_id     INTEGER NOT NULL REFERENCES ratecard_versions(id) ON DELETE CASCADE,
    prefix         TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    rate           BIGINT NOT NULL,
    connection_fee BIGINT NOT NULL DEFAULT 0,
    mcd            INTEGER NOT NULL DEFAULT 0,
    pulse          INTEGER NOT NULL DEFAULT 1,
    effective_date TEXT NOT NULL -- YYYY-MM-DD, UTC
);
CREATE INDEX rates_version_prefix ON rates(version_id, prefix);

ALTER TABLE accounts ADD COLUMN ratecard_id INTEGER REFERENCES ratecards(id) ON DELETE RESTRICT;
CREATE INDEX accounts_ratecard ON accounts(ratecard_id);

-- One row per call. Unique per (switch, call_id): ingest skips a CDR
-- already stored, so the same file twice adds nothing. charge and
-- carrier_cost are NULL when unknown (unrated). The account references are
-- checked at commit (DEFERRABLE INITIALLY DEFERRED): ingest checks them
-- beforehand, and an immediate check would make SQLite keep a statement
-- journal for every multi-row INSERT, which halved ingest speed.
CREATE TABLE cdrs (
    id                 INTEGER PRIMARY KEY,
    switch             TEXT NOT NULL,
    call_id            TEXT NOT NULL,
    start_time         TIMESTAMP NOT NULL,
    source_number      TEXT NOT NULL,
    destination_number TEXT NOT NULL,
    duration           INTEGER NOT NULL,
    billed_duration    INTEGER NOT NULL,
    destination_name   TEXT NOT NULL,
    rate               BIGINT,
    charge             BIGINT,
    sip_code           INTEGER NOT NULL,
    sip_reason         TEXT NOT NULL,
    direction          TEXT NOT NULL,
    customer_id        INTEGER NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
    carrier_id         INTEGER REFERENCES accounts(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
    carrier_rate       BIGINT,
    carrier_cost       BIGINT,
    unrated            BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX cdrs_switch_call ON cdrs(switch, call_id);
CREATE INDEX cdrs_customer ON cdrs(customer_id, id);
CREATE INDEX cdrs_carrier ON cdrs(carrier_id, id);

CREATE TABLE payments (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
    amount      BIGINT NOT NULL,
    status      TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX payments_account ON payments(account_id, id);

-- The ledger is append-only; an account's balance is SUM(amount) over its
-- entries, read through the covering index ledger_account.
CREATE TABLE ledger_entries (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
    kind        TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    payment_id  INTEGER REFERENCES payments(id) ON DELETE RESTRICT,
    cdr_count   INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX ledger_account ON ledger_entries(account_id, id, amount);

-- Idempotency-Key replays: the first answer is kept with a fingerprint of
-- its request.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
