-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);

CREATE TABLE domains (
    id                  INTEGER PRIMARY KEY,
    domain              TEXT NOT NULL UNIQUE,
    brand_name          TEXT NOT NULL,
    customer_signup     BOOLEAN NOT NULL DEFAULT FALSE,
    carrier_signup      BOOLEAN NOT NULL DEFAULT FALSE,
    signup_credit_limit BIGINT NOT NULL DEFAULT 0,
    currencies          TEXT NOT NULL DEFAULT '[]',
    template_account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    access              TEXT NOT NULL DEFAULT '[]',
    primary_color       TEXT NOT NULL DEFAULT '',
    footer              TEXT NOT NULL DEFAULT '',
    custom_css          TEXT NOT NULL DEFAULT '',
    logo                BLOB,
    logo_type           TEXT NOT NULL DEFAULT '',
    smtp_host           TEXT NOT NULL DEFAULT '',
    smtp_port           INTEGER NOT NULL DEFAULT 0,
    smtp_username       TEXT NOT NULL DEFAULT '',
    smtp_password_enc   BLOB,
    smtp_from           TEXT NOT NULL DEFAULT '',
    smtp_insecure       BOOLEAN NOT NULL DEFAULT FALSE,
    dns_status          TEXT NOT NULL DEFAULT 'unchecked',
    dns_checked_at      TIMESTAMP,
    dns_detail          TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    status           TEXT NOT NULL,
    currency         TEXT NOT NULL,
    credit_limit     BIGINT NOT NULL DEFAULT 0,
    domain_id        INTEGER REFERENCES domains(id) ON DELETE RESTRICT,
    access_overrides TEXT NOT NULL DEFAULT '{}',
    tax_id           TEXT NOT NULL DEFAULT '',
    tax_percent      BIGINT NOT NULL DEFAULT 0,
    notes            TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX accounts_kind_status_id ON accounts(kind, status, id);
CREATE INDEX accounts_domain ON accounts(domain_id);

CREATE TABLE contacts (
    id                   INTEGER PRIMARY KEY,
    account_id           INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    email                TEXT NOT NULL UNIQUE,
    phone                TEXT NOT NULL DEFAULT '',
    mobile               TEXT NOT NULL DEFAULT '',
    contact_type         TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL DEFAULT '',
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    public_notes         TEXT NOT NULL DEFAULT '',
    private_notes        TEXT NOT NULL DEFAULT '',
    email_verified       BOOLEAN NOT NULL DEFAULT FALSE,
    mobile_verified      BOOLEAN NOT NULL DEFAULT FALSE,
    ip_allowlist         TEXT NOT NULL DEFAULT '[]',
    time_zone            TEXT NOT NULL DEFAULT 'UTC',
    language             TEXT NOT NULL DEFAULT 'en',
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at        TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX contacts_account ON contacts(account_id, id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
    contact_id   INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    domain_id    INTEGER REFERENCES domains(id) ON DELETE CASCADE,
    ip           TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_contact ON sessions(contact_id);

CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    domain_id  INTEGER REFERENCES domains(id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE emails (
    id              INTEGER PRIMARY KEY,
    domain_id       INTEGER REFERENCES domains(id) ON DELETE SET NULL,
    brand           TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    secret_enc      BLOB,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX emails_due ON emails(status, next_attempt_at);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TIMESTAMP NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL DEFAULT '',
    ip      TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT 'ok',
    detail  TEXT NOT NULL DEFAULT ''
);

-- change_counters lets every node notice writes made by others by polling
-- one small row (no LISTEN/NOTIFY needed).
CREATE TABLE change_counters (
    name    TEXT PRIMARY KEY,
    counter BIGINT NOT NULL DEFAULT 0
);
INSERT INTO change_counters(name, counter) VALUES ('domains', 0);
