package store

import (
	"context"
	"database/sql"
	"strings"

	"portico/internal/portico"
)

const userColumns = `id, email, name, role, password_hash, disabled, created_at, ip_allowlist, must_change_password, last_login_at`

// userColumnsOf is userColumns qualified by a table alias, for joins.
func userColumnsOf(alias string) string {
	return alias + "." + strings.ReplaceAll(userColumns, ", ", ", "+alias+".")
}

func scanUser(row interface{ Scan(...any) error }, extra ...any) (*portico.User, error) {
	var u portico.User
	var allow string
	var last sql.NullTime
	dest := append([]any{&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &allow,
		&u.MustChangePassword, &last}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	if last.Valid {
		t := last.Time.UTC()
		u.LastLoginAt = &t
	}
	return &u, jsonScan(allow, &u.IPAllowlist)
}

// CreateUser inserts an operator user.
func (q *Q) CreateUser(ctx context.Context, u *portico.User) error {
	u.CreatedAt = q.now
	err := q.queryRow(ctx, `INSERT INTO users (email, name, role, password_hash, disabled, created_at, ip_allowlist, must_change_password)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.Name, u.Role, u.PasswordHash, u.Disabled, u.CreatedAt, jsonText(u.IPAllowlist), u.MustChangePassword).Scan(&u.ID)
	return conflictErr(err, "email", "A user with this email exists.", "")
}

// UpdateUser stores a user's name, role and disabled flag (not the email,
// which is the login, nor the password).
func (q *Q) UpdateUser(ctx context.Context, u *portico.User) error {
	return q.execOne(ctx, "User", `UPDATE users SET name = ?, role = ?, disabled = ? WHERE id = ?`, u.Name, u.Role, u.Disabled, u.ID)
}

// SetUserPassword stores a new password hash (e.g. a rehash at login),
// leaving the must-change flag as it is.
func (q *Q) SetUserPassword(ctx context.Context, id int64, hash string) error {
	return q.execOne(ctx, "User", `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
}

// ReplaceUserPassword stores a new password hash and whether it must be
// changed at the next login (true for one an owner generated).
func (q *Q) ReplaceUserPassword(ctx context.Context, id int64, hash string, mustChange bool) error {
	return q.execOne(ctx, "User", `UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?`, hash, mustChange, id)
}

// SetUserLastLogin records a completed login.
func (q *Q) SetUserLastLogin(ctx context.Context, id int64) error {
	return q.execOne(ctx, "User", `UPDATE users SET last_login_at = ? WHERE id = ?`, q.now, id)
}

// SetUserIPAllowlist stores the addresses an operator user may work from.
func (q *Q) SetUserIPAllowlist(ctx context.Context, id int64, allow []string) error {
	return q.execOne(ctx, "User", `UPDATE users SET ip_allowlist = ? WHERE id = ?`, jsonText(allow), id)
}

// FindUserByID returns one operator user.
func (q *Q) FindUserByID(ctx context.Context, id int64) (*portico.User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	return u, notFound(err, "User")
}

// FindUserByEmail returns the operator user with this (normalised) email.
func (q *Q) FindUserByEmail(ctx context.Context, email string) (*portico.User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, portico.NormalizeEmail(email)))
	return u, notFound(err, "User")
}

// UserSummary is a user as the user list shows them.
type UserSummary struct {
	*portico.User
	TwoFactor bool // an authenticator app is confirmed
}

// FindUsers lists every operator user by email. Staff lists are short,
// so there is no paging.
func (q *Q) FindUsers(ctx context.Context) ([]UserSummary, error) {
	rows, err := q.query(ctx, `SELECT `+userColumns+`, totp_enabled FROM users ORDER BY email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UserSummary
	for rows.Next() {
		var s UserSummary
		if s.User, err = scanUser(rows, &s.TwoFactor); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CountEnabledOwners counts the enabled owners other than the user with
// id except (0: count them all).
func (q *Q) CountEnabledOwners(ctx context.Context, except int64) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = 'owner' AND disabled = FALSE AND id <> ?`, except).Scan(&n)
	return n, err
}

// LockUserRoles serialises, until the transaction ends, the writes that
// could remove the last enabled owner. SQLite's single writer already
// runs them one at a time; on PostgreSQL two owners demoting each other
// at once would each still see the other as owner under READ COMMITTED,
// so they take a transaction-scoped advisory lock first.
func (q *Q) LockUserRoles(ctx context.Context) error {
	if q.dialect != Postgres {
		return nil
	}
	_, err := q.exec(ctx, `SELECT pg_advisory_xact_lock(7243550301)`)
	return err
}

// HasOwner reports whether any enabled owner exists (else serve offers the
// one-time setup link).
func (q *Q) HasOwner(ctx context.Context) (bool, error) {
	n, err := q.CountEnabledOwners(ctx, 0)
	return n > 0, err
}

// CreateAPIToken stores a token's hash for a user.
func (q *Q) CreateAPIToken(ctx context.Context, t *portico.APIToken, tokenHash string) error {
	t.CreatedAt = q.now
	err := q.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, tokenHash, t.CreatedAt).Scan(&t.ID)
	return conflictErr(err, "token", "Token collision; try again.", "The user does not exist.")
}

// ListAPITokens lists a user's API tokens, newest first.
func (q *Q) ListAPITokens(ctx context.Context, userID int64) ([]*portico.APIToken, error) {
	rows, err := q.query(ctx, `SELECT id, user_id, name, created_at FROM api_tokens
		WHERE user_id = ? ORDER BY id DESC`, userID)
	return collect(rows, err, func(row scanner) (*portico.APIToken, error) {
		var t portico.APIToken
		err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt)
		t.CreatedAt = t.CreatedAt.UTC()
		return &t, err
	})
}

// DeleteAPIToken revokes one of a user's API tokens; a token of another
// user is not found.
func (q *Q) DeleteAPIToken(ctx context.Context, userID, tokenID int64) error {
	return q.execOne(ctx, "Token", `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, tokenID, userID)
}

// FindUserByTokenHash returns the enabled user owning an API token: a
// disabled user's tokens stop working at once, and work again if the user
// is enabled again.
func (q *Q) FindUserByTokenHash(ctx context.Context, tokenHash string) (*portico.User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userColumnsOf("u")+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND u.disabled = FALSE`, tokenHash))
	return u, notFound(err, "Token")
}
