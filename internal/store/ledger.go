package store

import (
	"context"
	"database/sql"
	"math"

	"portico/internal/portico"
)

const noSuchAccount = "The account does not exist."

// AddLedgerEntries appends entries and sets their IDs and CreatedAt.
func (q *Q) AddLedgerEntries(ctx context.Context, entries ...*portico.LedgerEntry) error {
	for _, e := range entries {
		e.CreatedAt = q.now
		err := q.queryRow(ctx, `INSERT INTO ledger_entries (account_id, kind, amount, description, payment_id, cdr_count, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			e.AccountID, e.Kind, e.Amount, e.Description, nullInt(e.PaymentID), e.CDRCount, e.CreatedAt).Scan(&e.ID)
		if err != nil {
			return conflictErr(err, "account_id", "", noSuchAccount)
		}
	}
	return nil
}

// AccountBalance is the sum of the account's ledger entries, read from the
// covering index ledger_account (account_id, id, amount).
func (q *Q) AccountBalance(ctx context.Context, accountID int64) (portico.Money, error) {
	var sum portico.Money
	err := q.queryRow(ctx, `SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account_id = ?`, accountID).Scan(&sum)
	return sum, err
}

const ledgerColumns = `id, account_id, kind, amount, description, payment_id, cdr_count, created_at`

// FindLedgerEntries lists an account's entries by id after the cursor.
func (q *Q) FindLedgerEntries(ctx context.Context, accountID, after int64, limit int) ([]*portico.LedgerEntry, error) {
	return q.findLedgerEntries(ctx, `SELECT `+ledgerColumns+` FROM ledger_entries WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?`,
		accountID, after, pageLimit(limit))
}

// FindRecentLedgerEntries lists an account's entries newest first, below
// the cursor before (0: from the newest), as the control panel shows them.
func (q *Q) FindRecentLedgerEntries(ctx context.Context, accountID, before int64, limit int) ([]*portico.LedgerEntry, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	return q.findLedgerEntries(ctx, `SELECT `+ledgerColumns+` FROM ledger_entries WHERE account_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
		accountID, before, pageLimit(limit))
}

func (q *Q) findLedgerEntries(ctx context.Context, query string, args ...any) ([]*portico.LedgerEntry, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*portico.LedgerEntry
	for rows.Next() {
		var e portico.LedgerEntry
		var payment sql.NullInt64
		if err := rows.Scan(&e.ID, &e.AccountID, &e.Kind, &e.Amount, &e.Description, &payment, &e.CDRCount, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.PaymentID, e.CreatedAt = intPtr(payment), e.CreatedAt.UTC()
		out = append(out, &e)
	}
	return out, rows.Err()
}

const paymentColumns = `id, account_id, amount, status, description, created_at, updated_at`

func scanPayment(row scanner) (*portico.Payment, error) {
	var p portico.Payment
	if err := row.Scan(&p.ID, &p.AccountID, &p.Amount, &p.Status, &p.Description, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// CreatePayment inserts p and sets its ID and timestamps.
func (q *Q) CreatePayment(ctx context.Context, p *portico.Payment) error {
	p.CreatedAt, p.UpdatedAt = q.now, q.now
	err := q.queryRow(ctx, `INSERT INTO payments (account_id, amount, status, description, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		p.AccountID, p.Amount, p.Status, p.Description, p.CreatedAt, p.UpdatedAt).Scan(&p.ID)
	return conflictErr(err, "account_id", "", noSuchAccount)
}

// SetPaymentStatus moves a payment from one status to another. It touches
// the row only if the status is still from, so of two concurrent changes
// one wins and the other gets a conflict.
func (q *Q) SetPaymentStatus(ctx context.Context, id int64, from, to string) error {
	res, err := q.exec(ctx, `UPDATE payments SET status = ?, updated_at = ? WHERE id = ? AND status = ?`, to, q.now, id, from)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = portico.Errorf(portico.ECONFLICT, "The payment changed meanwhile; reload it and try again.")
		}
		return err
	}
	return nil
}

// FindPaymentByID returns one payment.
func (q *Q) FindPaymentByID(ctx context.Context, id int64) (*portico.Payment, error) {
	p, err := scanPayment(q.queryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, id))
	return p, notFound(err, "Payment")
}

// FindPayments lists payments matching f by id.
func (q *Q) FindPayments(ctx context.Context, f portico.PaymentFilter) ([]*portico.Payment, error) {
	rows, err := q.query(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE (? = 0 OR account_id = ?) AND (? = '' OR status = ?) AND id > ? ORDER BY id LIMIT ?`,
		f.AccountID, f.AccountID, f.Status, f.Status, f.After, pageLimit(f.Limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*portico.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// IdempotentResponse is the first answer to a request made with an
// Idempotency-Key, kept to be given again.
type IdempotentResponse struct {
	RequestHash string
	Response    string // the use case's result, as JSON
}

// FindIdempotentResponse returns the answer stored for key in scope, or
// nil when the key is new.
func (q *Q) FindIdempotentResponse(ctx context.Context, scope, key string) (*IdempotentResponse, error) {
	var r IdempotentResponse
	err := q.queryRow(ctx, `SELECT request_hash, response FROM idempotency_keys WHERE scope = ? AND idem_key = ?`, scope, key).
		Scan(&r.RequestHash, &r.Response)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// ErrIdempotencyRace is returned by SaveIdempotentResponse when another
// transaction stored the same key first; the caller rolls back and replays.
var ErrIdempotencyRace = portico.Errorf(portico.ECONFLICT, "A request with this Idempotency-Key is being processed; retry.")

// SaveIdempotentResponse stores the answer to a keyed request, in the
// transaction that did the work, so that the work and its record commit
// together or not at all.
func (q *Q) SaveIdempotentResponse(ctx context.Context, scope, key string, r IdempotentResponse) error {
	_, err := q.exec(ctx, `INSERT INTO idempotency_keys (scope, idem_key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)`,
		scope, key, r.RequestHash, r.Response, q.now)
	if unique, _ := constraint(err); unique {
		return ErrIdempotencyRace
	}
	return err
}
