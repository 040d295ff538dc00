package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"portico/internal/portico"
)

// The portal's data sections: one account's balance, ledger, payments,
// calls and rates. Every query here filters by the AccountQ's account, and
// every cursor is looked up within that account first, so an id of another
// account's row is "not found", never a page of somebody else's data.

// Balance is the sum of the account's ledger entries.
func (a *AccountQ) Balance(ctx context.Context) (portico.Money, error) {
	return a.q.AccountBalance(ctx, a.accountID)
}

// owns reports whether table holds row id for the account (col names the
// account column); a cursor that names any other row is not found.
func (a *AccountQ) owns(ctx context.Context, table, col string, id int64, what string) error {
	var one int
	err := a.q.queryRow(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND `+col+` = ?`, id, a.accountID).Scan(&one)
	return notFound(err, what)
}

// Ledger lists the account's ledger entries newest first, older than the
// entry before (0: from the newest).
func (a *AccountQ) Ledger(ctx context.Context, before int64, limit int) ([]*portico.LedgerEntry, error) {
	if before != 0 {
		if err := a.owns(ctx, "ledger_entries", "account_id", before, "Ledger entry"); err != nil {
			return nil, err
		}
	}
	rows, err := a.q.query(ctx, `SELECT `+ledgerColumns+` FROM ledger_entries
		WHERE account_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?`,
		a.accountID, before, before, pageLimit(limit))
	return collect(rows, err, func(row scanner) (*portico.LedgerEntry, error) {
		var e portico.LedgerEntry
		var payment sql.NullInt64
		if err := row.Scan(&e.ID, &e.AccountID, &e.Kind, &e.Amount, &e.Description, &payment, &e.CDRCount, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.PaymentID, e.CreatedAt = intPtr(payment), e.CreatedAt.UTC()
		return &e, nil
	})
}

// Payments lists the account's payments newest first, older than the
// payment before (0: from the newest).
func (a *AccountQ) Payments(ctx context.Context, before int64, limit int) ([]*portico.Payment, error) {
	if before != 0 {
		if err := a.owns(ctx, "payments", "account_id", before, "Payment"); err != nil {
			return nil, err
		}
	}
	rows, err := a.q.query(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE account_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?`,
		a.accountID, before, before, pageLimit(limit))
	return collect(rows, err, scanPayment)
}

// PortalCDRFilter selects one account's calls for the portal.
type PortalCDRFilter struct {
	// Carrier selects the traffic the account carried as a carrier
	// (carrier_id) instead of its calls as a customer (customer_id).
	Carrier  bool
	From, To time.Time // start time in [From, To), UTC; zero: open
	// Number keeps calls whose source or destination starts with these
	// digits (with or without a leading +).
	Number    string
	Connected bool // only calls that lasted a second or more
	// After is the id of the last call of the previous page: the page
	// continues with the calls before it (newest first). It must be one of
	// the account's calls on this side, or the page is not found.
	After int64
	Limit int
}

func (f *PortalCDRFilter) side() string {
	if f.Carrier {
		return "carrier_id"
	}
	return "customer_id"
}

// where builds the filter's conditions. The index (account, start_time,
// id) serves the account and the time range, so a page costs the same at
// any depth.
func (a *AccountQ) cdrWhere(ctx context.Context, f *PortalCDRFilter) (string, []any, error) {
	col := f.side()
	where := col + ` = ?`
	args := []any{a.accountID}
	if !f.From.IsZero() {
		where += ` AND start_time >= ?`
		args = append(args, f.From.UTC())
	}
	var cursorAt time.Time
	if f.After != 0 {
		err := a.q.queryRow(ctx, `SELECT start_time FROM cdrs WHERE id = ? AND `+col+` = ?`, f.After, a.accountID).Scan(&cursorAt)
		if err != nil {
			return "", nil, notFound(err, "Call")
		}
		cursorAt = cursorAt.UTC()
		// The bound on start_time alone is what the index range uses;
		// the OR only drops the few calls of the same instant after it.
		where += ` AND start_time <= ? AND (start_time < ? OR id < ?)`
		args = append(args, cursorAt, cursorAt, f.After)
	}
	if !f.To.IsZero() && (f.After == 0 || !cursorAt.Before(f.To)) {
		where += ` AND start_time < ?`
		args = append(args, f.To.UTC())
	}
	if n := strings.TrimPrefix(f.Number, "+"); n != "" {
		where += ` AND (source_number LIKE ? OR source_number LIKE ? OR destination_number LIKE ? OR destination_number LIKE ?)`
		args = append(args, n+"%", "+"+n+"%", n+"%", "+"+n+"%")
	}
	if f.Connected {
		where += ` AND duration > 0`
	}
	return where, args, nil
}

// CDRPage lists a page of the account's calls, newest first.
func (a *AccountQ) CDRPage(ctx context.Context, f PortalCDRFilter) ([]*portico.CDR, error) {
	query, args, err := a.cdrPageSQL(ctx, f)
	if err != nil {
		return nil, err
	}
	rows, err := a.q.query(ctx, query, args...)
	return collect(rows, err, scanCDR)
}

func (a *AccountQ) cdrPageSQL(ctx context.Context, f PortalCDRFilter) (string, []any, error) {
	where, args, err := a.cdrWhere(ctx, &f)
	return `SELECT ` + a.q.cdrColumns() + ` FROM cdrs WHERE ` + where + ` ORDER BY start_time DESC, id DESC LIMIT ?`,
		append(args, pageLimit(f.Limit)), err
}

// EachCDR calls fn for every call the filter selects (Limit is ignored),
// oldest first, reading rows as fn consumes them: memory stays flat
// however many there are. fn gets the same *CDR each time, refilled.
func (a *AccountQ) EachCDR(ctx context.Context, f PortalCDRFilter, fn func(*portico.CDR) error) error {
	where, args, err := a.cdrWhere(ctx, &f)
	if err != nil {
		return err
	}
	rows, err := a.q.query(ctx, `SELECT `+a.q.cdrColumns()+` FROM cdrs WHERE `+where+` ORDER BY start_time, id`, args...)
	if err != nil {
		return err
	}
	return eachCDRRow(rows, fn)
}

// RateCard returns the card assigned to the account, or nil when none is.
func (a *AccountQ) RateCard(ctx context.Context) (*portico.RateCard, error) {
	c, err := scanRateCard(a.q.queryRow(ctx, `SELECT `+rateCardColumns+` FROM ratecards c
		WHERE c.id = (SELECT ratecard_id FROM accounts WHERE id = ?)`, a.accountID))
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return c, err
}

// RateCardRows returns the rows of every version of the account's rate
// card, each with its version number (what billing.NewCard needs), if
// cardID, as RateCard gave it, is still that card; none if the account has
// been given another card since. One statement, so the rows are all of
// one card, and that card is the account's.
func (a *AccountQ) RateCardRows(ctx context.Context, cardID int64) ([]portico.Rate, error) {
	return a.q.findRates(ctx, `SELECT r.id, v.version, r.prefix, r.name, r.rate, r.connection_fee, r.mcd, r.pulse, r.effective_date
		FROM rates r JOIN ratecard_versions v ON v.id = r.version_id
		WHERE v.ratecard_id = ? AND v.ratecard_id = (SELECT ratecard_id FROM accounts WHERE id = ?)`, cardID, a.accountID)
}

// Now is the time the handle's queries were made at, in UTC.
func (a *AccountQ) Now() time.Time { return a.q.now }
