-- +goose Up
-- DNS verification: when the CNAME was last found right (certificates stop
-- a grace period after that), and when the next periodic check is due
-- (NULL: as soon as possible).
ALTER TABLE domains ADD COLUMN dns_verified_at TIMESTAMP;
ALTER TABLE domains ADD COLUMN dns_next_check_at TIMESTAMP;
CREATE INDEX domains_dns_next_check ON domains(dns_next_check_at);

-- The domain's certificate as the panel shows it. An uploaded certificate
-- (the operator's own) lives here too, its key sealed with the secret key.
ALTER TABLE domains ADD COLUMN tls_status TEXT NOT NULL DEFAULT 'none';
ALTER TABLE domains ADD COLUMN tls_source TEXT NOT NULL DEFAULT '';
ALTER TABLE domains ADD COLUMN tls_not_after TIMESTAMP;
ALTER TABLE domains ADD COLUMN tls_issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE domains ADD COLUMN tls_error TEXT NOT NULL DEFAULT '';
ALTER TABLE domains ADD COLUMN tls_error_at TIMESTAMP;
ALTER TABLE domains ADD COLUMN tls_cert_pem TEXT NOT NULL DEFAULT '';
ALTER TABLE domains ADD COLUMN tls_key_enc BLOB;

-- certmagic's storage: ACME account, certificates, keys (sealed), challenge
-- tokens. Paths are certmagic's keys ("certificates/<ca>/<name>/<name>.crt").
CREATE TABLE cert_store (
    path        TEXT PRIMARY KEY,
    value       BLOB NOT NULL,
    modified_at TIMESTAMP NOT NULL
);

-- certmagic's locks, as leases: a node holds a name until expires_at and
-- extends it while working, so a node that dies frees it by itself.
CREATE TABLE cert_locks (
    name       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- Every certificate order started, for the per-hour issuance limit shared
-- by all nodes.
CREATE TABLE acme_orders (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    renewal    BOOLEAN NOT NULL DEFAULT FALSE,
    started_at TIMESTAMP NOT NULL
);
CREATE INDEX acme_orders_started ON acme_orders(started_at);
