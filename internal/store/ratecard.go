package store

import (
	"context"
	"strings"

	"portico/internal/portico"
)

const rateCardColumns = `c.id, c.name, c.currency, c.direction, c.charge_decimals, c.rounding, c.created_at, c.updated_at,
	COALESCE((SELECT MAX(v.version) FROM ratecard_versions v WHERE v.ratecard_id = c.id), 0)`

func scanRateCard(row scanner) (*portico.RateCard, error) {
	var c portico.RateCard
	err := row.Scan(&c.ID, &c.Name, &c.Currency, &c.Direction, &c.Precision, &c.Rounding, &c.CreatedAt, &c.UpdatedAt, &c.LatestVersion)
	if err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

const rateCardTaken = "A rate card with this name exists."

// CreateRateCard inserts c and sets its ID and timestamps.
func (q *Q) CreateRateCard(ctx context.Context, c *portico.RateCard) error {
	c.CreatedAt, c.UpdatedAt = q.now, q.now
	err := q.queryRow(ctx, `INSERT INTO ratecards (name, currency, direction, charge_decimals, rounding, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Name, c.Currency, c.Direction, c.Precision, c.Rounding, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
	return conflictErr(err, "name", rateCardTaken, "")
}

// UpdateRateCard saves the card's settings (not its rows).
func (q *Q) UpdateRateCard(ctx context.Context, c *portico.RateCard) error {
	c.UpdatedAt = q.now
	err := q.execOne(ctx, "Rate card", `UPDATE ratecards SET name = ?, currency = ?, direction = ?, charge_decimals = ?,
		rounding = ?, updated_at = ? WHERE id = ?`,
		c.Name, c.Currency, c.Direction, c.Precision, c.Rounding, c.UpdatedAt, c.ID)
	return conflictErr(err, "name", rateCardTaken, "")
}

// DeleteRateCard removes a card with its versions and rows. A card that an
// account uses is a conflict.
func (q *Q) DeleteRateCard(ctx context.Context, id int64) error {
	err := q.execOne(ctx, "Rate card", `DELETE FROM ratecards WHERE id = ?`, id)
	return conflictErr(err, "", "", "The rate card is assigned to accounts; assign them another card first.")
}

// FindRateCardByID returns one card.
func (q *Q) FindRateCardByID(ctx context.Context, id int64) (*portico.RateCard, error) {
	c, err := scanRateCard(q.queryRow(ctx, `SELECT `+rateCardColumns+` FROM ratecards c WHERE c.id = ?`, id))
	return c, notFound(err, "Rate card")
}

// FindRateCardByName returns the card with exactly this name.
func (q *Q) FindRateCardByName(ctx context.Context, name string) (*portico.RateCard, error) {
	c, err := scanRateCard(q.queryRow(ctx, `SELECT `+rateCardColumns+` FROM ratecards c WHERE c.name = ?`, strings.TrimSpace(name)))
	return c, notFound(err, "Rate card")
}

// FindRateCards lists cards by id after the cursor.
func (q *Q) FindRateCards(ctx context.Context, after int64, limit int) ([]*portico.RateCard, error) {
	rows, err := q.query(ctx, `SELECT `+rateCardColumns+` FROM ratecards c WHERE c.id > ? ORDER BY c.id LIMIT ?`, after, pageLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*portico.RateCard
	for rows.Next() {
		c, err := scanRateCard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RateCardAccounts counts the accounts a card is assigned to, and of them
// those whose currency differs from cur.
func (q *Q) RateCardAccounts(ctx context.Context, id int64, cur string) (total, otherCurrency int, err error) {
	err = q.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN currency <> ? THEN 1 ELSE 0 END), 0)
		FROM accounts WHERE ratecard_id = ?`, cur, id).Scan(&total, &otherCurrency)
	return total, otherCurrency, err
}

// LockRateCard serialises version loads of one card, so two loads at once
// cannot both take the next version number (on SQLite the single writer
// already does; on PostgreSQL this takes the card's row lock).
func (q *Q) LockRateCard(ctx context.Context, id int64) error {
	return q.execOne(ctx, "Rate card", `UPDATE ratecards SET updated_at = ? WHERE id = ?`, q.now, id)
}

// CreateRateCardVersion stores rows as the card's next version and sets
// v's ID, Version and CreatedAt. Call LockRateCard first in the same
// transaction.
func (q *Q) CreateRateCardVersion(ctx context.Context, v *portico.RateCardVersion, rows []portico.Rate) error {
	v.CreatedAt, v.Rows = q.now, len(rows)
	err := q.queryRow(ctx, `INSERT INTO ratecard_versions (ratecard_id, version, row_count, checksum, source, created_at)
		VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM ratecard_versions WHERE ratecard_id = ?), ?, ?, ?, ?)
		RETURNING id, version`,
		v.RateCardID, v.RateCardID, v.Rows, v.Checksum, v.Source, v.CreatedAt).Scan(&v.ID, &v.Version)
	if err != nil {
		return conflictErr(err, "rates", "Another version of this card was loaded at the same moment; try again.", "Rate card not found.")
	}
	const cols = 8
	return insertBatches(ctx, q, `INSERT INTO rates (version_id, prefix, name, rate, connection_fee, mcd, pulse, effective_date) VALUES `,
		cols, len(rows), "", func(i int, args []any) []any {
			r := &rows[i]
			return append(args, v.ID, r.Prefix, r.Name, r.Rate, r.ConnectionFee, r.MCD, r.Pulse, r.Effective.Format(portico.DateLayout))
		})
}

const rateVersionColumns = `id, ratecard_id, version, row_count, checksum, source, created_at`

// FindRateCardVersions lists a card's versions, newest first.
func (q *Q) FindRateCardVersions(ctx context.Context, cardID int64) ([]*portico.RateCardVersion, error) {
	rows, err := q.query(ctx, `SELECT `+rateVersionColumns+` FROM ratecard_versions WHERE ratecard_id = ? ORDER BY version DESC`, cardID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*portico.RateCardVersion
	for rows.Next() {
		var v portico.RateCardVersion
		if err := rows.Scan(&v.ID, &v.RateCardID, &v.Version, &v.Rows, &v.Checksum, &v.Source, &v.CreatedAt); err != nil {
			return nil, err
		}
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, &v)
	}
	return out, rows.Err()
}

// FindCardRates returns the rows of every version of a card, each with its
// version number: what billing.NewCard needs.
func (q *Q) FindCardRates(ctx context.Context, cardID int64) ([]portico.Rate, error) {
	return q.findRates(ctx, `SELECT r.id, v.version, r.prefix, r.name, r.rate, r.connection_fee, r.mcd, r.pulse, r.effective_date
		FROM rates r JOIN ratecard_versions v ON v.id = r.version_id WHERE v.ratecard_id = ?`, cardID)
}

// RateFilter selects the rows of one version of a card for listing.
type RateFilter struct {
	CardID  int64
	Version int    // 0: the newest
	Prefix  string // rows whose prefix starts with this
	Name    string // rows whose destination name contains this, in any case
	After   int64  // keyset cursor (row id)
	Limit   int
}

// FindRates lists rows of one version by id.
func (q *Q) FindRates(ctx context.Context, f RateFilter) ([]portico.Rate, error) {
	return q.findRates(ctx, `SELECT r.id, v.version, r.prefix, r.name, r.rate, r.connection_fee, r.mcd, r.pulse, r.effective_date
		FROM rates r JOIN ratecard_versions v ON v.id = r.version_id
		WHERE v.ratecard_id = ?
		  AND v.version = CASE WHEN ? > 0 THEN ? ELSE (SELECT MAX(version) FROM ratecard_versions WHERE ratecard_id = ?) END
		  AND r.prefix LIKE ? AND LOWER(r.name) LIKE ? AND r.id > ?
		ORDER BY r.id LIMIT ?`,
		f.CardID, f.Version, f.Version, f.CardID, strings.Trim(f.Prefix, "%_\\")+"%", likePattern(f.Name), f.After, pageLimit(f.Limit))
}

func (q *Q) findRates(ctx context.Context, query string, args ...any) ([]portico.Rate, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []portico.Rate
	for rows.Next() {
		var r portico.Rate
		var eff string
		if err := rows.Scan(&r.ID, &r.Version, &r.Prefix, &r.Name, &r.Rate, &r.ConnectionFee, &r.MCD, &r.Pulse, &eff); err != nil {
			return nil, err
		}
		if r.Effective, err = portico.ParseDate(eff); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RateCardStamps returns the cards with the given ids (settings and newest
// version number, no rows): what a rating cache compares to know whether
// its copy is current. Ids of missing cards are absent.
func (q *Q) RateCardStamps(ctx context.Context, ids []int64) (map[int64]*portico.RateCard, error) {
	out := map[int64]*portico.RateCard{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.query(ctx, `SELECT `+rateCardColumns+` FROM ratecards c WHERE c.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanRateCard(rows)
		if err != nil {
			return nil, err
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}

// placeholders returns "?, ?, …" n times.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
