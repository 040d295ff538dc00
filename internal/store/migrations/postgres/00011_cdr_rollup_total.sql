-- +goose Up
-- The control panel's Traffic page sums the calls of every account by UTC
-- day. Summing cdr_rollup for all accounts reads a row per account, side
-- and quarter hour (about 3M rows for a month of the 10M-CDR benchmark),
-- so the ingest also keeps these sums, in the same transaction and the
-- same statement order as cdr_rollup (store.addToRollup): one row per
-- quarter hour, side and currency, a month being at most 2,976 rows per
-- side and currency, read as one range of the primary key.
--
-- carrier FALSE: the customers' calls, amount = their charges (unrated
-- calls count 0). carrier TRUE: the traffic carriers carried, amount =
-- the carrier costs. currency is the account's when the calls were
-- stored: amounts in different currencies are never added together.
CREATE TABLE cdr_rollup_total (
    bucket    BIGINT NOT NULL,
    carrier   BOOLEAN NOT NULL,
    currency  TEXT NOT NULL,
    attempts  BIGINT NOT NULL,
    connected BIGINT NOT NULL,
    seconds   BIGINT NOT NULL,
    billed    BIGINT NOT NULL,
    amount    BIGINT NOT NULL,
    PRIMARY KEY (bucket, carrier, currency)
);

-- The calls stored before this migration, from the per-account rollup
-- (which sums them already; TestRollupBackfill checks both).
INSERT INTO cdr_rollup_total (bucket, carrier, currency, attempts, connected, seconds, billed, amount)
SELECT r.bucket, r.carrier, a.currency, SUM(r.attempts), SUM(r.connected), SUM(r.seconds), SUM(r.billed), SUM(r.amount)
FROM cdr_rollup r JOIN accounts a ON a.id = r.account_id
GROUP BY r.bucket, r.carrier, a.currency;
