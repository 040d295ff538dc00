package store

import (
	"context"
	"database/sql"
	"time"
)

// Session kinds: control panel (operator user) or portal (contact).
const (
	SessionPanel  = "panel"
	SessionPortal = "portal"
)

// Session is a server-side login, found by the hash of its cookie value.
type Session struct {
	Kind       string
	UserID     *int64
	ContactID  *int64
	DomainID   *int64 // portal sessions are bound to one brand
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute limit
}

// CreateSession stores a session under the hash of its token.
func (q *Q) CreateSession(ctx context.Context, tokenHash string, s *Session) error {
	s.CreatedAt, s.LastSeenAt = q.now, q.now
	_, err := q.exec(ctx, `INSERT INTO sessions (token_hash, kind, user_id, contact_id, domain_id, ip,
		created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tokenHash, s.Kind, nullInt(s.UserID), nullInt(s.ContactID), nullInt(s.DomainID), s.IP,
		s.CreatedAt, s.LastSeenAt, s.ExpiresAt)
	return err
}

// FindSession returns a live session: not past its absolute expiry and seen
// within idle. Anything else is not found.
func (q *Q) FindSession(ctx context.Context, tokenHash, kind string, idle time.Duration) (*Session, error) {
	var s Session
	var user, contact, domain sql.NullInt64
	err := q.queryRow(ctx, `SELECT kind, user_id, contact_id, domain_id, ip, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = ? AND kind = ? AND expires_at > ? AND last_seen_at > ?`,
		tokenHash, kind, q.now, q.now.Add(-idle)).Scan(&s.Kind, &user, &contact, &domain, &s.IP,
		&s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt)
	if err != nil {
		return nil, notFound(err, "Session")
	}
	s.UserID, s.ContactID, s.DomainID = intPtr(user), intPtr(contact), intPtr(domain)
	return &s, nil
}

// TouchSession records activity so the idle timeout restarts.
func (q *Q) TouchSession(ctx context.Context, tokenHash string) error {
	_, err := q.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, q.now, tokenHash)
	return err
}

// DeleteSession ends one session (logout).
func (q *Q) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := q.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// DeleteContactSessions ends every session of a contact except keep (a
// token hash, or "" to end all): used on disable and password change.
func (q *Q) DeleteContactSessions(ctx context.Context, contactID int64, keep string) error {
	_, err := q.exec(ctx, `DELETE FROM sessions WHERE contact_id = ? AND token_hash <> ?`, contactID, keep)
	return err
}

// DeleteExpiredSessions removes sessions past their absolute expiry.
func (q *Q) DeleteExpiredSessions(ctx context.Context) error {
	_, err := q.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, q.now)
	return err
}

// OneTimeToken is an emailed or printed single-use link token (setup, reset,
// verify), stored by hash.
type OneTimeToken struct {
	Purpose   string
	UserID    *int64
	ContactID *int64
	DomainID  *int64
	ExpiresAt time.Time
}

// CreateOneTimeToken stores a token by its hash.
func (q *Q) CreateOneTimeToken(ctx context.Context, tokenHash string, t *OneTimeToken) error {
	_, err := q.exec(ctx, `INSERT INTO one_time_tokens (token_hash, purpose, user_id, contact_id, domain_id,
		expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tokenHash, t.Purpose, nullInt(t.UserID), nullInt(t.ContactID), nullInt(t.DomainID), t.ExpiresAt, q.now)
	return err
}

// PeekOneTimeToken returns a usable token without consuming it (for the
// GET page that shows the button).
func (q *Q) PeekOneTimeToken(ctx context.Context, tokenHash, purpose string) (*OneTimeToken, error) {
	var t OneTimeToken
	var user, contact, domain sql.NullInt64
	err := q.queryRow(ctx, `SELECT purpose, user_id, contact_id, domain_id, expires_at FROM one_time_tokens
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`,
		tokenHash, purpose, q.now).Scan(&t.Purpose, &user, &contact, &domain, &t.ExpiresAt)
	if err != nil {
		return nil, notFound(err, "Link")
	}
	t.UserID, t.ContactID, t.DomainID = intPtr(user), intPtr(contact), intPtr(domain)
	return &t, nil
}

// ConsumeOneTimeToken marks a usable token used and returns it; a second
// use, or an expired token, is not found. Call it inside the transaction
// that does what the token allows.
func (q *Q) ConsumeOneTimeToken(ctx context.Context, tokenHash, purpose string) (*OneTimeToken, error) {
	t, err := q.PeekOneTimeToken(ctx, tokenHash, purpose)
	if err != nil {
		return nil, err
	}
	if err := q.execOne(ctx, "Link", `UPDATE one_time_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`,
		q.now, tokenHash); err != nil {
		return nil, err
	}
	return t, nil
}

// LiveOneTimeTokenExists reports whether an unused, unexpired token of the
// purpose exists (serve uses it to avoid printing a second setup link).
func (q *Q) LiveOneTimeTokenExists(ctx context.Context, purpose string) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM one_time_tokens WHERE purpose = ? AND used_at IS NULL AND expires_at > ?`,
		purpose, q.now).Scan(&n)
	return n > 0, err
}
