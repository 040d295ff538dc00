package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Principal names who a second factor belongs to: an operator user or a
// portal contact. Only one of the ids is set.
type Principal struct {
	UserID    int64
	ContactID int64
}

// table and id pick the row the principal's factor lives in.
func (p Principal) table() (string, int64) {
	if p.UserID != 0 {
		return "users", p.UserID
	}
	return "contacts", p.ContactID
}

func (p Principal) column() (string, int64) {
	if p.UserID != 0 {
		return "user_id", p.UserID
	}
	return "contact_id", p.ContactID
}

// TOTP is a principal's authenticator: the secret sealed with the secret
// key, whether it was confirmed, and the last time step used.
type TOTP struct {
	SecretEnc []byte // nil when none was ever set up
	Enabled   bool
	LastStep  int64
}

// FindTOTP returns the principal's authenticator state.
func (q *Q) FindTOTP(ctx context.Context, p Principal) (*TOTP, error) {
	table, id := p.table()
	var t TOTP
	err := q.queryRow(ctx, `SELECT totp_secret_enc, totp_enabled, totp_last_step FROM `+table+` WHERE id = ?`, id).
		Scan(&t.SecretEnc, &t.Enabled, &t.LastStep)
	return &t, notFound(err, "Login")
}

// SetTOTP stores a new (unconfirmed when enabled is false) sealed secret;
// nil with false removes the authenticator.
func (q *Q) SetTOTP(ctx context.Context, p Principal, secretEnc []byte, enabled bool) error {
	table, id := p.table()
	return q.execOne(ctx, "Login", `UPDATE `+table+` SET totp_secret_enc = ?, totp_enabled = ?, totp_last_step = 0
		WHERE id = ?`, secretEnc, enabled, id)
}

// UseTOTPStep records the time step of an accepted code, unless a code of
// that step or a later one was used already: then it reports false, so a
// code seen over someone's shoulder cannot be replayed.
func (q *Q) UseTOTPStep(ctx context.Context, p Principal, step int64) (bool, error) {
	table, id := p.table()
	res, err := q.exec(ctx, `UPDATE `+table+` SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, id, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReplaceRecoveryCodes stores new recovery code hashes for the principal,
// dropping any earlier ones.
func (q *Q) ReplaceRecoveryCodes(ctx context.Context, p Principal, hashes []string) error {
	col, id := p.column()
	if _, err := q.exec(ctx, `DELETE FROM recovery_codes WHERE `+col+` = ?`, id); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := q.exec(ctx, `INSERT INTO recovery_codes (`+col+`, code_hash, created_at) VALUES (?, ?, ?)`,
			id, h, q.now); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode marks an unused code of the principal used; a wrong or
// used code reports false.
func (q *Q) UseRecoveryCode(ctx context.Context, p Principal, hash string) (bool, error) {
	col, id := p.column()
	res, err := q.exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE `+col+` = ? AND code_hash = ? AND used_at IS NULL`,
		q.now, id, hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CountRecoveryCodes counts the principal's unused recovery codes.
func (q *Q) CountRecoveryCodes(ctx context.Context, p Principal) (int, error) {
	col, id := p.column()
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE `+col+` = ? AND used_at IS NULL`, id).Scan(&n)
	return n, err
}

// Require2FA is whether a brand and an account demand two-factor
// authentication of the account's contacts.
type Require2FA struct {
	Brand, Account bool
}

// Any reports whether either demands it.
func (r Require2FA) Any() bool { return r.Brand || r.Account }

// FindRequire2FA reads the settings that apply to an account's contacts.
func (q *Q) FindRequire2FA(ctx context.Context, accountID int64) (Require2FA, error) {
	var r Require2FA
	var brand sql.NullBool
	err := q.queryRow(ctx, `SELECT a.require_2fa, d.require_2fa FROM accounts a
		LEFT JOIN domains d ON d.id = a.domain_id WHERE a.id = ?`, accountID).Scan(&r.Account, &brand)
	r.Brand = brand.Valid && brand.Bool
	return r, notFound(err, "Account")
}

// DomainRequires2FA reads a brand's setting.
func (q *Q) DomainRequires2FA(ctx context.Context, domainID int64) (bool, error) {
	var on bool
	err := q.queryRow(ctx, `SELECT require_2fa FROM domains WHERE id = ?`, domainID).Scan(&on)
	return on, notFound(err, "Domain")
}

// SetRequire2FA sets "require two-factor" on a brand (domain) or an
// account; what names the table: "domains" or "accounts".
func (q *Q) SetRequire2FA(ctx context.Context, what string, id int64, on bool) error {
	if what != "domains" && what != "accounts" {
		return fmt.Errorf("SetRequire2FA: unknown table %q", what)
	}
	return q.execOne(ctx, "Record", `UPDATE `+what+` SET require_2fa = ? WHERE id = ?`, on, id)
}
