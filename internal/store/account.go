package store

import (
	"context"
	"database/sql"

	"portico/internal/portico"
)

const accountColumns = `id, kind, name, status, currency, credit_limit, domain_id, access_overrides,
	tax_id, tax_percent, notes, created_at, updated_at`

func scanAccount(row scanner) (*portico.Account, error) {
	var a portico.Account
	var domainID sql.NullInt64
	var overrides string
	err := row.Scan(&a.ID, &a.Kind, &a.Name, &a.Status, &a.Currency, &a.CreditLimit, &domainID, &overrides,
		&a.TaxID, &a.TaxPercent, &a.Notes, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return nil, err
	}
	a.DomainID = intPtr(domainID)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, jsonScan(overrides, &a.AccessOverrides)
}

const noSuchDomain = "The portal domain does not exist."

// CreateAccount inserts a and sets its ID and timestamps.
func (q *Q) CreateAccount(ctx context.Context, a *portico.Account) error {
	a.CreatedAt, a.UpdatedAt = q.now, q.now
	err := q.queryRow(ctx, `INSERT INTO accounts (kind, name, status, currency, credit_limit, domain_id,
		access_overrides, tax_id, tax_percent, notes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Kind, a.Name, a.Status, a.Currency, a.CreditLimit, nullInt(a.DomainID),
		jsonText(a.AccessOverrides), a.TaxID, a.TaxPercent, a.Notes, a.CreatedAt, a.UpdatedAt).Scan(&a.ID)
	return conflictErr(err, "name", "An account with this name exists.", noSuchDomain)
}

// UpdateAccount saves every editable field of a. The kind never changes.
func (q *Q) UpdateAccount(ctx context.Context, a *portico.Account) error {
	a.UpdatedAt = q.now
	err := q.execOne(ctx, "Account", `UPDATE accounts SET name = ?, status = ?, currency = ?, credit_limit = ?,
		domain_id = ?, access_overrides = ?, tax_id = ?, tax_percent = ?, notes = ?, updated_at = ?
		WHERE id = ? AND kind = ?`,
		a.Name, a.Status, a.Currency, a.CreditLimit, nullInt(a.DomainID), jsonText(a.AccessOverrides),
		a.TaxID, a.TaxPercent, a.Notes, a.UpdatedAt, a.ID, a.Kind)
	return conflictErr(err, "name", "An account with this name exists.", noSuchDomain)
}

// SetAccountStatus changes only the status (approve, reject, archive).
func (q *Q) SetAccountStatus(ctx context.Context, id int64, status string) error {
	return q.execOne(ctx, "Account", `UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?`, status, q.now, id)
}

// AccountHasHistory reports whether deleting the account would lose history.
// Until ledger and CDR tables exist, history is any portal login by one of
// its contacts; the billing tables join this check when they arrive.
func (q *Q) AccountHasHistory(ctx context.Context, id int64) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE account_id = ? AND last_login_at IS NOT NULL`, id).Scan(&n)
	return n > 0, err
}

// DeleteAccount removes an account and its contacts.
func (q *Q) DeleteAccount(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, `UPDATE domains SET template_account_id = NULL WHERE template_account_id = ?`, id); err != nil {
		return err
	}
	return q.execOne(ctx, "Account", `DELETE FROM accounts WHERE id = ?`, id)
}

// FindAccountByID returns one account of any kind.
func (q *Q) FindAccountByID(ctx context.Context, id int64) (*portico.Account, error) {
	a, err := scanAccount(q.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	return a, notFound(err, "Account")
}

// FindAccounts lists accounts matching f by id, a page at a time.
func (q *Q) FindAccounts(ctx context.Context, f portico.AccountFilter) ([]*portico.Account, error) {
	rows, err := q.query(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE kind = ? AND (? = '' OR status = ?) AND (? = '' OR LOWER(name) LIKE ?) AND id > ?
		ORDER BY id LIMIT ?`,
		f.Kind, f.Status, f.Status, f.Search, likePattern(f.Search), f.After, pageLimit(f.Limit))
	return collect(rows, err, scanAccount)
}

// CountAccountsByStatus counts accounts of a kind in one status (the
// panel's Pending Approval badge).
func (q *Q) CountAccountsByStatus(ctx context.Context, kind portico.AccountKind, status string) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE kind = ? AND status = ?`, kind, status).Scan(&n)
	return n, err
}
