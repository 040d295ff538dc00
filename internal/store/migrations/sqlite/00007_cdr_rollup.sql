-- +goose Up
-- The portal's Summary (and the Carrier Portal's traffic) shows twelve
-- months of an account's calls summed by day and month in the viewer's
-- time zone. Summing the calls themselves reads every one of them (14.7 s
-- for an account with 2M calls), so the CDR ingest keeps these sums, in
-- the transaction that stores the calls: one row per account, side and
-- quarter hour (bucket = unix seconds / 900; quarter hours fall into whole
-- local days in every time zone), so a year is at most 35,040 rows read
-- by the primary key.
--
-- carrier FALSE: the account's calls as a customer, amount = their
-- charges (unrated calls count 0). carrier TRUE: the traffic the account
-- carried as a carrier, amount = its carrier cost.
--
-- No foreign key to accounts: every row sums calls whose own foreign keys
-- hold the account, and an account with calls cannot be deleted.
-- WITHOUT ROWID: the table is its primary key, so a Summary reads one
-- range of it and the ingest's upserts touch one b-tree, not two.
CREATE TABLE cdr_rollup (
    account_id INTEGER NOT NULL,
    carrier    BOOLEAN NOT NULL,
    bucket     BIGINT NOT NULL,
    attempts   BIGINT NOT NULL,
    connected  BIGINT NOT NULL,
    seconds    BIGINT NOT NULL,
    billed     BIGINT NOT NULL,
    amount     BIGINT NOT NULL,
    PRIMARY KEY (account_id, carrier, bucket)
) WITHOUT ROWID;

-- The calls stored before this migration, one pass over cdrs per side.
-- The sums must be the ones the ingest adds (rollupSums in
-- internal/store/cdr_rollup.go); TestRollupBackfill compares the two.
-- NOT INDEXED: the GROUP BY sorts every row either way, and reading the
-- table in rowid order is sequential, where walking an account index
-- looks up each row at random (3 to 4 times slower at 1M calls, worse as
-- the table outgrows memory).
INSERT INTO cdr_rollup (account_id, carrier, bucket, attempts, connected, seconds, billed, amount)
SELECT customer_id, FALSE, unixepoch(start_time) / 900, COUNT(*), SUM(CASE WHEN duration > 0 THEN 1 ELSE 0 END),
    SUM(duration), SUM(billed_duration), COALESCE(SUM(charge), 0)
FROM cdrs NOT INDEXED GROUP BY 1, 3;

INSERT INTO cdr_rollup (account_id, carrier, bucket, attempts, connected, seconds, billed, amount)
SELECT carrier_id, TRUE, unixepoch(start_time) / 900, COUNT(*), SUM(CASE WHEN duration > 0 THEN 1 ELSE 0 END),
    SUM(duration), SUM(billed_duration), COALESCE(SUM(carrier_cost), 0)
FROM cdrs NOT INDEXED WHERE carrier_id IS NOT NULL GROUP BY 1, 3;
