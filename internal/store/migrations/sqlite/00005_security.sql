-- +goose Up
-- Security: audit entries that name their account and client, sessions a
-- person can list and end one by one (with a second-factor step and
-- operator impersonation), two-factor authentication, operator IP
-- allowlists, "require two-factor" on brands and accounts, and throttling
-- counters shared by every node.

-- The account an entry concerns (its contacts read it in the portal) and
-- the client's user agent. No foreign key: history outlives the account.
ALTER TABLE audit_log ADD COLUMN account_id INTEGER;
ALTER TABLE audit_log ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_account ON audit_log(account_id, id);

-- Sessions get a public id (never the token or its hash) so a contact can
-- end one of them, and start over: everyone logs in again once after the
-- upgrade, which is harmless.
DROP TABLE sessions;
CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    domain_id       INTEGER REFERENCES domains(id) ON DELETE CASCADE,
    ip              TEXT NOT NULL DEFAULT '',
    user_agent      TEXT NOT NULL DEFAULT '',
    stage           TEXT NOT NULL DEFAULT 'full',
    impersonator_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    can_write       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMP NOT NULL,
    last_seen_at    TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_contact ON sessions(contact_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- TOTP (RFC 6238): the secret sealed with the secret key, whether it is
-- confirmed, and the last time step used (a code works once).
ALTER TABLE users ADD COLUMN totp_secret_enc BLOB;
ALTER TABLE users ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN ip_allowlist TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN totp_secret_enc BLOB;
ALTER TABLE contacts ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contacts ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- Single-use recovery codes, stored hashed.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
CREATE INDEX recovery_codes_contact ON recovery_codes(contact_id);

ALTER TABLE domains ADD COLUMN require_2fa BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN require_2fa BOOLEAN NOT NULL DEFAULT FALSE;

-- Throttling: failures per key (a hashed email as typed, a client address,
-- a session), and until when the key is refused.
CREATE TABLE throttles (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_at       TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP
);
CREATE INDEX throttles_last ON throttles(last_at);
