package store

import (
	"context"
	"database/sql"

	"portico/internal/portico"
)

const accountColumns = `id, kind, name, status, currency, credit_limit, domain_id, access_overrides,
	tax_id, tax_percent, notes, created_at, updated_at, ratecard_id`

func scanAccount(row scanner) (*portico.Account, error) {
	var a portico.Account
	var domainID, rateCardID sql.NullInt64
	var overrides string
	err := row.Scan(&a.ID, &a.Kind, &a.Name, &a.Status, &a.Currency, &a.CreditLimit, &domainID, &overrides,
		&a.TaxID, &a.TaxPercent, &a.Notes, &a.CreatedAt, &a.UpdatedAt, &rateCardID)
	if err != nil {
		return nil, err
	}
	a.DomainID, a.RateCardID = intPtr(domainID), intPtr(rateCardID)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, jsonScan(overrides, &a.AccessOverrides)
}

const noSuchDomain = "The portal domain does not exist."

// CreateAccount inserts a and sets its ID and timestamps.
func (q *Q) CreateAccount(ctx context.Context, a *portico.Account) error {
	a.CreatedAt, a.UpdatedAt = q.now, q.now
	err := q.queryRow(ctx, `INSERT INTO accounts (kind, name, status, currency, credit_limit, domain_id,
		access_overrides, tax_id, tax_percent, notes, created_at, updated_at, ratecard_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Kind, a.Name, a.Status, a.Currency, a.CreditLimit, nullInt(a.DomainID),
		jsonText(a.AccessOverrides), a.TaxID, a.TaxPercent, a.Notes, a.CreatedAt, a.UpdatedAt, nullInt(a.RateCardID)).Scan(&a.ID)
	return conflictErr(err, "name", "An account with this name exists.", noSuchDomain)
}

// UpdateAccount saves every editable field of a. The kind never changes.
func (q *Q) UpdateAccount(ctx context.Context, a *portico.Account) error {
	a.UpdatedAt = q.now
	err := q.execOne(ctx, "Account", `UPDATE accounts SET name = ?, status = ?, currency = ?, credit_limit = ?,
		domain_id = ?, access_overrides = ?, tax_id = ?, tax_percent = ?, notes = ?, updated_at = ?, ratecard_id = ?
		WHERE id = ? AND kind = ?`,
		a.Name, a.Status, a.Currency, a.CreditLimit, nullInt(a.DomainID), jsonText(a.AccessOverrides),
		a.TaxID, a.TaxPercent, a.Notes, a.UpdatedAt, nullInt(a.RateCardID), a.ID, a.Kind)
	return conflictErr(err, "name", "An account with this name exists.", noSuchDomain)
}

// SetAccountStatus changes only the status (approve, reject, archive).
func (q *Q) SetAccountStatus(ctx context.Context, id int64, status string) error {
	return q.execOne(ctx, "Account", `UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?`, status, q.now, id)
}

// AccountHasHistory reports whether deleting the account would lose history:
// a portal login by one of its contacts, a ledger entry, a payment (even
// pending or cancelled), or a CDR as customer or carrier. Each probe stops
// at the first row through an index.
func (q *Q) AccountHasHistory(ctx context.Context, id int64) (bool, error) {
	var has bool
	err := q.queryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM contacts WHERE account_id = ? AND last_login_at IS NOT NULL)
		OR EXISTS (SELECT 1 FROM ledger_entries WHERE account_id = ?)
		OR EXISTS (SELECT 1 FROM payments WHERE account_id = ?)
		OR EXISTS (SELECT 1 FROM cdrs WHERE customer_id = ?)
		OR EXISTS (SELECT 1 FROM cdrs WHERE carrier_id = ?)`, id, id, id, id, id).Scan(&has)
	return has, err
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
