package store

import (
	"context"

	"portico/internal/portico"
)

const userColumns = `id, email, name, role, password_hash, disabled, created_at, ip_allowlist`

func scanUser(row interface{ Scan(...any) error }) (*portico.User, error) {
	var u portico.User
	var allow string
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &allow); err != nil {
		return nil, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, jsonScan(allow, &u.IPAllowlist)
}

// CreateUser inserts an operator user.
func (q *Q) CreateUser(ctx context.Context, u *portico.User) error {
	u.CreatedAt = q.now
	err := q.queryRow(ctx, `INSERT INTO users (email, name, role, password_hash, disabled, created_at, ip_allowlist)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.Name, u.Role, u.PasswordHash, u.Disabled, u.CreatedAt, jsonText(u.IPAllowlist)).Scan(&u.ID)
	return conflictErr(err, "email", "A user with this email exists.", "")
}

// SetUserPassword stores a new password hash (e.g. a rehash at login).
func (q *Q) SetUserPassword(ctx context.Context, id int64, hash string) error {
	return q.execOne(ctx, "User", `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
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

// HasOwner reports whether any enabled owner exists (else serve offers the
// one-time setup link).
func (q *Q) HasOwner(ctx context.Context) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = 'owner' AND disabled = FALSE`).Scan(&n)
	return n > 0, err
}

// CreateAPIToken stores a token's hash for a user.
func (q *Q) CreateAPIToken(ctx context.Context, t *portico.APIToken, tokenHash string) error {
	t.CreatedAt = q.now
	err := q.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, tokenHash, t.CreatedAt).Scan(&t.ID)
	return conflictErr(err, "token", "Token collision; try again.", "The user does not exist.")
}

// FindUserByTokenHash returns the enabled user owning an API token.
func (q *Q) FindUserByTokenHash(ctx context.Context, tokenHash string) (*portico.User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.password_hash, u.disabled, u.created_at,
		u.ip_allowlist FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND u.disabled = FALSE`, tokenHash))
	return u, notFound(err, "Token")
}
