package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"
)

// Session kinds: control panel (operator user) or portal (contact).
const (
	SessionPanel  = "panel"
	SessionPortal = "portal"
)

// Session stages: a session is full once every factor is checked; until
// then (password right, second factor awaited) it opens no page but the
// second-factor form.
const (
	StageFull = "full"
	StageMFA  = "mfa"
)

// Session is a server-side login, found by the hash of its cookie value.
// ID is public (a contact ends one of its sessions by it); the token and
// its hash never leave the server.
type Session struct {
	ID        int64
	Kind      string
	UserID    *int64
	ContactID *int64
	DomainID  *int64 // portal sessions are bound to one brand
	IP        string
	UserAgent string
	Stage     string
	// ImpersonatorID is the operator user behind a support session ("log
	// in as contact"); CanWrite is false when that session is read-only.
	ImpersonatorID *int64
	CanWrite       bool
	CreatedAt      time.Time
	LastSeenAt     time.Time
	ExpiresAt      time.Time // absolute limit
}

const sessionColumns = `id, kind, user_id, contact_id, domain_id, ip, user_agent, stage, impersonator_id, can_write,
	created_at, last_seen_at, expires_at`

func scanSession(row scanner) (*Session, error) {
	var s Session
	var user, contact, domain, imp sql.NullInt64
	if err := row.Scan(&s.ID, &s.Kind, &user, &contact, &domain, &s.IP, &s.UserAgent, &s.Stage, &imp, &s.CanWrite,
		&s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt); err != nil {
		return nil, err
	}
	s.UserID, s.ContactID, s.DomainID, s.ImpersonatorID = intPtr(user), intPtr(contact), intPtr(domain), intPtr(imp)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

// maxUserAgent bounds what is kept of a User-Agent header.
const maxUserAgent = 300

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so PostgreSQL never sees broken UTF-8.
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// CreateSession stores a session under the hash of its token. An empty
// Stage is a full session.
func (q *Q) CreateSession(ctx context.Context, tokenHash string, s *Session) error {
	s.CreatedAt, s.LastSeenAt = q.now, q.now
	if s.Stage == "" {
		s.Stage = StageFull
	}
	if s.ImpersonatorID == nil {
		s.CanWrite = true
	}
	s.UserAgent = clip(strings.ToValidUTF8(s.UserAgent, ""), maxUserAgent)
	return q.queryRow(ctx, `INSERT INTO sessions (token_hash, kind, user_id, contact_id, domain_id, ip, user_agent,
		stage, impersonator_id, can_write, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tokenHash, s.Kind, nullInt(s.UserID), nullInt(s.ContactID), nullInt(s.DomainID), s.IP, s.UserAgent,
		s.Stage, nullInt(s.ImpersonatorID), s.CanWrite, s.CreatedAt, s.LastSeenAt, s.ExpiresAt).Scan(&s.ID)
}

// FindSession returns a live session: not past its absolute expiry and seen
// within idle. Anything else is not found.
func (q *Q) FindSession(ctx context.Context, tokenHash, kind string, idle time.Duration) (*Session, error) {
	s, err := scanSession(q.queryRow(ctx, `SELECT `+sessionColumns+`
		FROM sessions WHERE token_hash = ? AND kind = ? AND expires_at > ? AND last_seen_at > ?`,
		tokenHash, kind, q.now, q.now.Add(-idle)))
	return s, notFound(err, "Session")
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
// token hash, or "" to end all) and reports how many ended: used on
// disable, password change and by the operator.
func (q *Q) DeleteContactSessions(ctx context.Context, contactID int64, keep string) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM sessions WHERE contact_id = ? AND token_hash <> ?`, contactID, keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteAccountSessions ends every portal session of every contact of an
// account (the account was suspended, rejected or archived).
func (q *Q) DeleteAccountSessions(ctx context.Context, accountID int64) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM sessions WHERE contact_id IN (SELECT id FROM contacts WHERE account_id = ?)`, accountID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteUserSessions ends every session of an operator user except keep,
// and every support session they opened in a portal.
func (q *Q) DeleteUserSessions(ctx context.Context, userID int64, keep string) error {
	_, err := q.exec(ctx, `DELETE FROM sessions WHERE (user_id = ? OR impersonator_id = ?) AND token_hash <> ?`,
		userID, userID, keep)
	return err
}

// FindContactSessionsByID lists the live sessions of a contact, newest first
// (for the panel; the portal goes through AccountQ).
func (q *Q) FindContactSessionsByID(ctx context.Context, contactID int64) ([]*Session, error) {
	rows, err := q.query(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE contact_id = ? AND expires_at > ?
		ORDER BY id DESC LIMIT 200`, contactID, q.now)
	return collect(rows, err, scanSession)
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
