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
