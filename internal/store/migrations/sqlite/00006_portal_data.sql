-- +goose Up
-- The portal's CDR pages and exports read one account's calls in a time
-- range, newest first, keyset-paged on (start_time, id): these indexes
-- serve that from either side (the customer's calls, the traffic a
-- carrier carried) at any depth, without OFFSET or COUNT(*).
CREATE INDEX cdrs_customer_time ON cdrs(customer_id, start_time, id);
CREATE INDEX cdrs_carrier_time ON cdrs(carrier_id, start_time, id);
