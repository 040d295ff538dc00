package store

import (
	"context"

	"portico/internal/portico"
)

// AccountQ runs the queries that serve one account's portal contacts. Every
// method filters by the account it was made for, so a portal use case that
// holds only an AccountQ cannot reach another account's rows, whatever ids
// a form or URL carries.
type AccountQ struct {
	q         *Q
	accountID int64
}

// ForAccount returns the handle for accountID, which must come from the
// caller's session, never from request input.
func (q *Q) ForAccount(accountID int64) *AccountQ { return &AccountQ{q: q, accountID: accountID} }

// Account returns the account itself.
func (a *AccountQ) Account(ctx context.Context) (*portico.Account, error) {
	return a.q.FindAccountByID(ctx, a.accountID)
}

// Contact returns one of the account's contacts.
func (a *AccountQ) Contact(ctx context.Context, id int64) (*portico.Contact, error) {
	c, err := scanContact(a.q.queryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = ? AND account_id = ?`,
		id, a.accountID))
	return c, notFound(err, "Contact")
}

// UpdateContactProfile saves the fields a contact may edit about itself:
// name, phone, time zone and language. Everything else (email, notes,
// allowlist, disabled) stays under the operator's control.
func (a *AccountQ) UpdateContactProfile(ctx context.Context, c *portico.Contact) error {
	c.UpdatedAt = a.q.now
	return a.q.execOne(ctx, "Contact", `UPDATE contacts SET name = ?, phone = ?, time_zone = ?, language = ?,
		updated_at = ? WHERE id = ? AND account_id = ?`,
		c.Name, c.Phone, c.TimeZone, c.Language, c.UpdatedAt, c.ID, a.accountID)
}

// SetContactPassword stores a password the contact chose, which ends any
// forced change.
func (a *AccountQ) SetContactPassword(ctx context.Context, id int64, hash string) error {
	return a.q.execOne(ctx, "Contact", `UPDATE contacts SET password_hash = ?, must_change_password = FALSE,
		updated_at = ? WHERE id = ? AND account_id = ?`, hash, a.q.now, id, a.accountID)
}

// MarkContactEmailVerified records that the contact proved it reads its
// mailbox (a verification or reset link was used).
func (a *AccountQ) MarkContactEmailVerified(ctx context.Context, id int64) error {
	return a.q.execOne(ctx, "Contact", `UPDATE contacts SET email_verified = TRUE, updated_at = ?
		WHERE id = ? AND account_id = ?`, a.q.now, id, a.accountID)
}

// EndContactSessions ends every session of one of the account's contacts
// except keep (a token hash, or "" to end all).
func (a *AccountQ) EndContactSessions(ctx context.Context, contactID int64, keep string) error {
	_, err := a.q.exec(ctx, `DELETE FROM sessions WHERE token_hash <> ? AND contact_id IN
		(SELECT id FROM contacts WHERE id = ? AND account_id = ?)`, keep, contactID, a.accountID)
	return err
}

// ContactSessions lists the live sessions of one of the account's
// contacts, newest first.
func (a *AccountQ) ContactSessions(ctx context.Context, contactID int64) ([]*Session, error) {
	rows, err := a.q.query(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE contact_id IN
		(SELECT id FROM contacts WHERE id = ? AND account_id = ?) AND expires_at > ?
		ORDER BY id DESC LIMIT 200`, contactID, a.accountID, a.q.now)
	return collect(rows, err, scanSession)
}

// EndContactSession ends one session of one of the account's contacts. A
// session of anyone else is not found, whatever its id.
func (a *AccountQ) EndContactSession(ctx context.Context, contactID, sessionID int64) error {
	return a.q.execOne(ctx, "Session", `DELETE FROM sessions WHERE id = ? AND contact_id IN
		(SELECT id FROM contacts WHERE id = ? AND account_id = ?)`, sessionID, contactID, a.accountID)
}

// AuditEntries lists the audit entries about the account, newest first,
// before a cursor (0: from the newest).
func (a *AccountQ) AuditEntries(ctx context.Context, before int64, limit int) ([]AuditEntry, error) {
	if a.accountID <= 0 {
		return nil, nil // an unset account would match every entry
	}
	return a.q.FilterAuditEntries(ctx, AuditFilter{AccountID: a.accountID, Before: before, Limit: limit})
}

// HasAuditEntry reports whether id is an entry about the account, so a
// cursor naming another account's entry can be refused.
func (a *AccountQ) HasAuditEntry(ctx context.Context, id int64) (bool, error) {
	var n int
	err := a.q.queryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE id = ? AND account_id = ?`, id, a.accountID).Scan(&n)
	return n > 0, err
}
