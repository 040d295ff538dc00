package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"portico/internal/portico"
)

// cdrInsertColumns are written by InsertCDRs, in this order.
const cdrInsertColumns = `switch, call_id, start_time, source_number, destination_number, duration, billed_duration,
	destination_name, rate, charge, sip_code, sip_reason, direction, customer_id, carrier_id, carrier_rate, carrier_cost, unrated`

const cdrColumnCount = 18

// CDRRowsPerStatement is how many CDRs one INSERT carries: large enough
// that per-statement costs vanish, small enough for the drivers' limits on
// bound parameters.
const CDRRowsPerStatement = 1000

// CDRTotal sums the CDRs one InsertCDRs stored for one pair of customer
// and carrier: what the ledger books.
type CDRTotal struct {
	CustomerID   int64
	CarrierID    int64 // 0: none
	Calls        int
	Unrated      int
	Charges      portico.Money // unrated calls count 0
	CarrierCosts portico.Money
}

// InsertCDRs stores cdrs, skipping any whose (switch, call_id) is already
// stored (or repeated within cdrs: the first wins, later copies are
// ignored even if they differ), sums what it stored, and adds the same
// calls to the Summary's rollup (cdr_rollup). Call it inside Write: the
// sums must describe exactly the rows this transaction added, so that
// charges are booked, and calls counted, once per stored CDR.
//
//   - On SQLite the transaction is the only writer and new rows get ids
//     above the largest id before it, so one GROUP BY over those ids sums
//     them (cheaper than returning every row).
//   - On PostgreSQL, where other transactions insert at the same time,
//     RETURNING reports exactly this statement's rows.
func (q *Q) InsertCDRs(ctx context.Context, cdrs []portico.CDR) (stored int, totals []CDRTotal, err error) {
	var rollup rollupSums
	if q.dialect == Postgres {
		stored, totals, rollup, err = q.insertCDRsReturning(ctx, cdrs)
	} else {
		stored, totals, rollup, err = q.insertCDRsSQLite(ctx, cdrs)
	}
	if err != nil {
		return 0, nil, err
	}
	return stored, totals, q.addToRollup(ctx, rollup)
}

func (q *Q) insertCDRsSQLite(ctx context.Context, cdrs []portico.CDR) (int, []CDRTotal, rollupSums, error) {
	// On the writer connection only: a page cache that holds the CDR
	// indexes as the table grows (the default is 2 MB), and WAL
	// checkpoints every 64 MB rather than every 4 MB, so index pages
	// that every batch rewrites are copied into the database less often.
	for _, pragma := range []string{`PRAGMA cache_size = -131072`, `PRAGMA wal_autocheckpoint = 16384`} {
		if _, err := q.exec(ctx, pragma); err != nil {
			return 0, nil, nil, err
		}
	}
	var maxBefore int64
	if err := q.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM cdrs`).Scan(&maxBefore); err != nil {
		return 0, nil, nil, err
	}
	if err := q.insertCDRRows(ctx, cdrs, nil); err != nil {
		return 0, nil, nil, conflictErr(err, "", "", "A CDR names an account that does not exist.")
	}
	stored, totals, err := q.cdrTotalsAbove(ctx, maxBefore)
	if err != nil {
		return 0, nil, nil, err
	}
	rollup, err := q.rollupOfStored(ctx, cdrs, stored, maxBefore)
	return stored, totals, rollup, err
}

// cdrTotalsAbove sums the CDRs with ids above maxBefore.
func (q *Q) cdrTotalsAbove(ctx context.Context, maxBefore int64) (stored int, totals []CDRTotal, err error) {
	// NOT INDEXED: without it the planner walks a whole account index
	// for the GROUP BY instead of the new rowid range (checked with
	// EXPLAIN QUERY PLAN in TestQueryPlans).
	rows, err := q.query(ctx, `SELECT customer_id, COALESCE(carrier_id, 0), COUNT(*), SUM(CASE WHEN unrated THEN 1 ELSE 0 END),
		COALESCE(SUM(charge), 0), COALESCE(SUM(carrier_cost), 0)
		FROM cdrs NOT INDEXED WHERE id > ? GROUP BY customer_id, carrier_id ORDER BY MIN(id)`, maxBefore)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t CDRTotal
		if err := rows.Scan(&t.CustomerID, &t.CarrierID, &t.Calls, &t.Unrated, &t.Charges, &t.CarrierCosts); err != nil {
			return 0, nil, err
		}
		totals = append(totals, t)
		stored += t.Calls
	}
	return stored, totals, rows.Err()
}

func (q *Q) insertCDRsReturning(ctx context.Context, cdrs []portico.CDR) (stored int, totals []CDRTotal, rollup rollupSums, err error) {
	sums := map[[2]int64]*CDRTotal{}
	var order [][2]int64
	rollup = rollupSums{}
	err = q.insertCDRRows(ctx, cdrs, func(rows *sql.Rows) error {
		var c portico.CDR
		var charge, cost portico.Money
		err := rows.Scan(&c.CustomerID, &charge, &c.CarrierID, &cost, &c.Unrated, &c.StartTime, &c.Duration, &c.BilledDuration)
		if err != nil {
			return err
		}
		rollup.add(&c, charge, cost)
		k := [2]int64{c.CustomerID, c.CarrierID}
		t := sums[k]
		if t == nil {
			t = &CDRTotal{CustomerID: c.CustomerID, CarrierID: c.CarrierID}
			sums[k] = t
			order = append(order, k)
		}
		t.Calls++
		t.Charges += charge
		t.CarrierCosts += cost
		if c.Unrated {
			t.Unrated++
		}
		return nil
	})
	if err != nil {
		return 0, nil, nil, conflictErr(err, "", "", "A CDR names an account that does not exist.")
	}
	for _, k := range order {
		totals = append(totals, *sums[k])
		stored += sums[k].Calls
	}
	return stored, totals, rollup, nil
}

// insertCDRRows runs the multi-row INSERTs; on PostgreSQL each stored
// row is passed to returned.
func (q *Q) insertCDRRows(ctx context.Context, cdrs []portico.CDR, returned func(*sql.Rows) error) error {
	// SQLite: OR IGNORE rather than ON CONFLICT DO NOTHING, because with
	// it (and deferred foreign keys) no constraint can abort the statement
	// half-way, so SQLite keeps no statement journal: a multi-row INSERT
	// into random places of the call id index otherwise copies every page
	// it touches. OR IGNORE would also skip a row violating NOT NULL, but
	// every NOT NULL column is bound from a Go value that cannot be nil.
	head, tail := `INSERT OR IGNORE INTO cdrs (`, ``
	if q.dialect == Postgres {
		head = `INSERT INTO cdrs (`
		tail = ` ON CONFLICT (switch, call_id) DO NOTHING
			RETURNING customer_id, COALESCE(charge, 0), COALESCE(carrier_id, 0), COALESCE(carrier_cost, 0), unrated,
				start_time, duration, billed_duration`
	}
	args := make([]any, 0, min(len(cdrs), CDRRowsPerStatement)*cdrColumnCount)
	// Parsing a thousand-row INSERT costs about as much as running it, so
	// the full-size statement is prepared once per transaction.
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < len(cdrs); start += CDRRowsPerStatement {
		end := min(len(cdrs), start+CDRRowsPerStatement)
		args = args[:0]
		for i := start; i < end; i++ {
			c := &cdrs[i]
			var carrier any
			if c.CarrierID != 0 {
				carrier = c.CarrierID
			}
			args = append(args, c.Switch, c.CallID, c.StartTime, c.SourceNumber, c.DestinationNumber, c.Duration,
				c.BilledDuration, c.DestinationName, moneyArg(c.Rate), moneyArg(c.Charge), c.SIPCode, c.SIPReason,
				c.Direction, c.CustomerID, carrier, moneyArg(c.CarrierRate), moneyArg(c.CarrierCost), c.Unrated)
		}
		query := q.multiInsert(head+cdrInsertColumns+`) VALUES `, tail, cdrColumnCount, end-start)
		stmt := (*sql.Stmt)(nil)
		if tx, ok := q.q.(*sql.Tx); ok && end-start == CDRRowsPerStatement && len(cdrs) > CDRRowsPerStatement {
			if full == nil {
				var err error
				if full, err = tx.PrepareContext(ctx, query); err != nil {
					return err
				}
			}
			stmt = full
		}
		if q.dialect != Postgres {
			var err error
			if stmt != nil {
				_, err = stmt.ExecContext(ctx, args...)
			} else {
				_, err = q.q.ExecContext(ctx, query, args...)
			}
			if err != nil {
				return err
			}
			continue
		}
		var rows *sql.Rows
		var err error
		if stmt != nil {
			rows, err = stmt.QueryContext(ctx, args...)
		} else {
			rows, err = q.q.QueryContext(ctx, query, args...)
		}
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := returned(rows); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func moneyArg(m *portico.Money) any {
	if m == nil {
		return nil
	}
	return int64(*m)
}

// cdrColumns is the select list of a whole CDR, for scanCDR. On SQLite the
// start time is read as text and parsed by dbTime (see parseSQLiteTime).
func (q *Q) cdrColumns() string {
	if q.dialect == SQLite {
		return cdrColumnsSQLite
	}
	return `id, ` + cdrInsertColumns
}

var cdrColumnsSQLite = `id, ` + strings.Replace(cdrInsertColumns, "start_time", "CAST(start_time AS TEXT)", 1)

func scanCDR(row scanner) (*portico.CDR, error) {
	var c portico.CDR
	var rate, charge, carrierRate, carrierCost, carrier sql.NullInt64
	err := row.Scan(&c.ID, &c.Switch, &c.CallID, dbTime{&c.StartTime}, &c.SourceNumber, &c.DestinationNumber, &c.Duration,
		&c.BilledDuration, &c.DestinationName, &rate, &charge, &c.SIPCode, &c.SIPReason, &c.Direction,
		&c.CustomerID, &carrier, &carrierRate, &carrierCost, &c.Unrated)
	if err != nil {
		return nil, err
	}
	c.CarrierID = carrier.Int64
	c.Rate, c.Charge, c.CarrierRate, c.CarrierCost = moneyPtr(rate), moneyPtr(charge), moneyPtr(carrierRate), moneyPtr(carrierCost)
	return &c, nil
}

func moneyPtr(n sql.NullInt64) *portico.Money {
	if !n.Valid {
		return nil
	}
	m := portico.Money(n.Int64)
	return &m
}

// FindCDRByID returns one CDR.
func (q *Q) FindCDRByID(ctx context.Context, id int64) (*portico.CDR, error) {
	c, err := scanCDR(q.queryRow(ctx, `SELECT `+q.cdrColumns()+` FROM cdrs WHERE id = ?`, id))
	return c, notFound(err, "CDR")
}

// cdrFilterWhere builds the conditions of the control panel's CDR filter.
// Filtering by customer or carrier walks that account's index
// (cdrs_customer, cdrs_carrier) in id order.
func cdrFilterWhere(f portico.CDRFilter) (string, []any, error) {
	from, to := f.From, f.To
	if from.IsZero() {
		from = time.Unix(0, 0)
	}
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	where := `id > ? AND start_time >= ? AND start_time < ?`
	args := []any{f.After, from.UTC(), to.UTC()}
	if f.CustomerID != 0 {
		where += ` AND customer_id = ?`
		args = append(args, f.CustomerID)
	}
	if f.CarrierID != 0 {
		where += ` AND carrier_id = ?`
		args = append(args, f.CarrierID)
	}
	if f.Unrated {
		where += ` AND unrated`
	}
	if f.CarrierUnrated {
		where += ` AND carrier_id IS NOT NULL AND carrier_cost IS NULL`
	}
	if n := strings.TrimPrefix(f.Number, "+"); n != "" {
		if strings.Trim(n, "0123456789") != "" {
			return "", nil, portico.FieldError("number", "The number must be digits, optionally after a +.")
		}
		// Digits only, so nothing in n is a LIKE wildcard.
		where += ` AND (destination_number LIKE ? OR destination_number LIKE ?)`
		args = append(args, n+"%", "+"+n+"%")
	}
	if f.Connected {
		where += ` AND duration > 0`
	}
	return where, args, nil
}

// FindCDRs lists CDRs matching f by id, a page of f.Limit.
func (q *Q) FindCDRs(ctx context.Context, f portico.CDRFilter) ([]*portico.CDR, error) {
	where, args, err := cdrFilterWhere(f)
	if err != nil {
		return nil, err
	}
	rows, err := q.query(ctx, `SELECT `+q.cdrColumns()+` FROM cdrs WHERE `+where+` ORDER BY id LIMIT ?`, append(args, pageLimit(f.Limit))...)
	return collect(rows, err, scanCDR)
}

// EachCDR calls fn for every CDR matching f (Limit is ignored; After
// still applies) in id order, reading rows as fn consumes them: memory
// stays flat however many there are. fn gets the same *CDR each time,
// refilled.
func (q *Q) EachCDR(ctx context.Context, f portico.CDRFilter, fn func(*portico.CDR) error) error {
	where, args, err := cdrFilterWhere(f)
	if err != nil {
		return err
	}
	rows, err := q.query(ctx, `SELECT `+q.cdrColumns()+` FROM cdrs WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return err
	}
	return eachCDRRow(rows, fn)
}

// eachCDRRow scans rows of q.cdrColumns() into one CDR, reused for every row,
// calls fn with it, and closes rows.
func eachCDRRow(rows *sql.Rows, fn func(*portico.CDR) error) error {
	defer rows.Close()
	var c portico.CDR
	var rate, charge, carrierRate, carrierCost, carrier sql.NullInt64
	var m [4]portico.Money
	for rows.Next() {
		err := rows.Scan(&c.ID, &c.Switch, &c.CallID, dbTime{&c.StartTime}, &c.SourceNumber, &c.DestinationNumber, &c.Duration,
			&c.BilledDuration, &c.DestinationName, &rate, &charge, &c.SIPCode, &c.SIPReason, &c.Direction,
			&c.CustomerID, &carrier, &carrierRate, &carrierCost, &c.Unrated)
		if err != nil {
			return err
		}
		c.CarrierID = carrier.Int64
		c.Rate, c.Charge, c.CarrierRate, c.CarrierCost = nil, nil, nil, nil
		for i, n := range []sql.NullInt64{rate, charge, carrierRate, carrierCost} {
			if !n.Valid {
				continue
			}
			m[i] = portico.Money(n.Int64)
			switch i {
			case 0:
				c.Rate = &m[0]
			case 1:
				c.Charge = &m[1]
			case 2:
				c.CarrierRate = &m[2]
			case 3:
				c.CarrierCost = &m[3]
			}
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountCDRs counts all stored CDRs (for tests and reports).
func (q *Q) CountCDRs(ctx context.Context) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM cdrs`).Scan(&n)
	return n, err
}
