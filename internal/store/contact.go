package store

import (
	"context"

	"portico/internal/portico"
)

const contactColumns = `id, account_id, name, email, phone, mobile, contact_type, password_hash,
	must_change_password, public_notes, private_notes, email_verified, mobile_verified, ip_allowlist,
	time_zone, language, disabled, created_at, updated_at`

func scanContact(row scanner) (*portico.Contact, error) {
	var c portico.Contact
	var allow string
	err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.Email, &c.Phone, &c.Mobile, &c.ContactType, &c.PasswordHash,
		&c.MustChangePassword, &c.PublicNotes, &c.PrivateNotes, &c.EmailVerified, &c.MobileVerified, &allow,
		&c.TimeZone, &c.Language, &c.Disabled, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, jsonScan(allow, &c.IPAllowlist)
}

const emailTaken = "This email is already a login."

// CreateContact inserts c (with its password hash) and sets its ID.
func (q *Q) CreateContact(ctx context.Context, c *portico.Contact) error {
	c.CreatedAt, c.UpdatedAt = q.now, q.now
	err := q.queryRow(ctx, `INSERT INTO contacts (account_id, name, email, phone, mobile, contact_type,
		password_hash, must_change_password, public_notes, private_notes, email_verified, mobile_verified,
		ip_allowlist, time_zone, language, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.AccountID, c.Name, c.Email, c.Phone, c.Mobile, c.ContactType, c.PasswordHash, c.MustChangePassword,
		c.PublicNotes, c.PrivateNotes, c.EmailVerified, c.MobileVerified, jsonText(c.IPAllowlist),
		c.TimeZone, c.Language, c.Disabled, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
	return conflictErr(err, "email", emailTaken, "The account does not exist.")
}

// UpdateContact saves every field of c except the password and the account.
func (q *Q) UpdateContact(ctx context.Context, c *portico.Contact) error {
	c.UpdatedAt = q.now
	err := q.execOne(ctx, "Contact", `UPDATE contacts SET name = ?, email = ?, phone = ?, mobile = ?,
		contact_type = ?, public_notes = ?, private_notes = ?, email_verified = ?, mobile_verified = ?,
		ip_allowlist = ?, time_zone = ?, language = ?, disabled = ?, updated_at = ? WHERE id = ?`,
		c.Name, c.Email, c.Phone, c.Mobile, c.ContactType, c.PublicNotes, c.PrivateNotes, c.EmailVerified,
		c.MobileVerified, jsonText(c.IPAllowlist), c.TimeZone, c.Language, c.Disabled, c.UpdatedAt, c.ID)
	return conflictErr(err, "email", emailTaken, "The account does not exist.")
}

// SetContactPassword stores a new password hash and whether it must be
// changed at next login.
func (q *Q) SetContactPassword(ctx context.Context, id int64, hash string, mustChange bool) error {
	return q.execOne(ctx, "Contact", `UPDATE contacts SET password_hash = ?, must_change_password = ?, updated_at = ?
		WHERE id = ?`, hash, mustChange, q.now, id)
}

// RecordContactLogin notes a successful portal login.
func (q *Q) RecordContactLogin(ctx context.Context, id int64) error {
	return q.execOne(ctx, "Contact", `UPDATE contacts SET last_login_at = ? WHERE id = ?`, q.now, id)
}

// DeleteContact removes a contact and its sessions.
func (q *Q) DeleteContact(ctx context.Context, id int64) error {
	return q.execOne(ctx, "Contact", `DELETE FROM contacts WHERE id = ?`, id)
}

// FindContactByID returns one contact.
func (q *Q) FindContactByID(ctx context.Context, id int64) (*portico.Contact, error) {
	c, err := scanContact(q.queryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = ?`, id))
	return c, notFound(err, "Contact")
}

// FindContactByEmail returns the contact whose login is email (normalised).
func (q *Q) FindContactByEmail(ctx context.Context, email string) (*portico.Contact, error) {
	c, err := scanContact(q.queryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE email = ?`,
		portico.NormalizeEmail(email)))
	return c, notFound(err, "Contact")
}

// FindContactsByAccount lists an account's contacts by id, a page at a time.
func (q *Q) FindContactsByAccount(ctx context.Context, accountID, after int64, limit int) ([]*portico.Contact, error) {
	rows, err := q.query(ctx, `SELECT `+contactColumns+` FROM contacts WHERE account_id = ? AND id > ?
		ORDER BY id LIMIT ?`, accountID, after, pageLimit(limit))
	return collect(rows, err, scanContact)
}
