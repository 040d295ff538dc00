-- +goose Up
-- Operator user management in the panel: an owner may give a user a
-- generated password, which must be changed at the next login (as for
-- contacts), and the user list shows when each last logged in.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN last_login_at TIMESTAMPTZ;
