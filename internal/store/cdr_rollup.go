package store

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"portico/internal/portico"
)

// The Summary's traffic totals come from cdr_rollup (migration 00007):
// per account, side and quarter hour, the sums of the calls stored, kept
// by InsertCDRs in the transaction that stores them. Reading a year of
// an account is then at most 35,040 rows by primary key, however many
// calls it made.

// BucketSeconds is the width of the buckets the rollup sums into: a
// quarter of an hour, so that buckets fall into whole local days in every
// time zone (offsets such as +05:30 and +05:45 included).
const BucketSeconds = 900

// CDRBucket sums the calls that started in one quarter hour.
type CDRBucket struct {
	Start     time.Time // UTC
	Attempts  int64
	Connected int64
	Seconds   int64 // talk time
	Billed    int64 // billed seconds
	// Amount is the customer's charges, or on the carrier side the
	// carrier's cost (unrated calls count 0).
	Amount portico.Money
}

// rollupKey names one row of cdr_rollup.
type rollupKey struct {
	account int64
	carrier bool  // the account's traffic as a carrier, not its calls as a customer
	bucket  int64 // unix seconds / BucketSeconds
}

// rollupSums is what one InsertCDRs adds to cdr_rollup. It is summed in
// Go from the calls stored, which the ingest has at hand (SQLite: the
// batch; PostgreSQL: the rows RETURNING reports): reading them back to
// sum them in SQL cost SQLite's ingest about a sixth of its CPU time.
// The values' Start is unused: the key holds the bucket.
type rollupSums map[rollupKey]*CDRBucket

// add counts one stored call on its customer's side, and on its
// carrier's when it has one. The bucket is the one migration 00007's
// backfill computes from the stored start time; TestRollupBackfill holds
// the two equal.
func (s rollupSums) add(c *portico.CDR, charge, cost portico.Money) {
	bucket := c.StartTime.Unix() / BucketSeconds
	s.addTo(rollupKey{c.CustomerID, false, bucket}, c, charge)
	if c.CarrierID != 0 {
		s.addTo(rollupKey{c.CarrierID, true, bucket}, c, cost)
	}
}

// bucket returns the sums of key k, made on first use.
func (s rollupSums) bucket(k rollupKey) *CDRBucket {
	b := s[k]
	if b == nil {
		b = &CDRBucket{}
		s[k] = b
	}
	return b
}

func (s rollupSums) addTo(k rollupKey, c *portico.CDR, amount portico.Money) {
	b := s.bucket(k)
	b.Attempts++
	if c.Duration > 0 {
		b.Connected++
	}
	b.Seconds += int64(c.Duration)
	b.Billed += int64(c.BilledDuration)
	b.Amount += amount
}

// rollupOfStored sums the calls of cdrs that InsertCDRs stored on SQLite,
// where stored rows were added with ids above maxBefore. Usually that is
// all of them; when some were duplicates (of calls already stored, or of
// each other), the keys of the new rows say which copies were stored.
func (q *Q) rollupOfStored(ctx context.Context, cdrs []portico.CDR, stored int, maxBefore int64) (rollupSums, error) {
	var added map[[2]string]bool
	if stored < len(cdrs) {
		var err error
		if added, err = q.cdrKeysAbove(ctx, maxBefore); err != nil {
			return nil, err
		}
	}
	s := rollupSums{}
	for i := range cdrs {
		c := &cdrs[i]
		if added != nil {
			// The first copy of a call in cdrs is the one stored;
			// deleting its key leaves later copies uncounted.
			k := [2]string{c.Switch, c.CallID}
			if !added[k] {
				continue
			}
			delete(added, k)
		}
		s.add(c, moneyOrZero(c.Charge), moneyOrZero(c.CarrierCost))
	}
	return s, nil
}

// cdrKeysAbove returns the (switch, call_id) of the CDRs with ids above
// maxBefore.
func (q *Q) cdrKeysAbove(ctx context.Context, maxBefore int64) (map[[2]string]bool, error) {
	rows, err := q.query(ctx, `SELECT switch, call_id FROM cdrs NOT INDEXED WHERE id > ?`, maxBefore)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := map[[2]string]bool{}
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, err
		}
		keys[k] = true
	}
	return keys, rows.Err()
}

func moneyOrZero(m *portico.Money) portico.Money {
	if m == nil {
		return 0
	}
	return *m
}

const rollupColumns = `account_id, carrier, bucket, attempts, connected, seconds, billed, amount`

// addToRollup adds s to cdr_rollup, and the same sums by currency to
// cdr_rollup_total (migration 00011). The rows go in key order, the
// accounts' rows first and then the totals': on PostgreSQL concurrent
// ingests lock the rollup rows they add to until they commit, and taking
// them in one order makes two batches of the same accounts (or, for the
// totals, the same quarter hours) wait for each other instead of
// deadlocking (TestRollupConcurrentIngest). That holds because a
// transaction calls addToRollup once (InsertCDRs, ChargeUnratedCDRs) and
// takes no rollup row anywhere else.
func (q *Q) addToRollup(ctx context.Context, s rollupSums) error {
	keys := slices.SortedFunc(maps.Keys(s), func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.account, b.account), compareBool(a.carrier, b.carrier), cmp.Compare(a.bucket, b.bucket))
	})
	err := insertBatches(ctx, q, `INSERT INTO cdr_rollup (`+rollupColumns+`) VALUES `, 8, len(keys),
		` ON CONFLICT (account_id, carrier, bucket)`+addSums("cdr_rollup"),
		func(i int, args []any) []any {
			k, b := keys[i], s[keys[i]]
			return append(args, k.account, k.carrier, k.bucket, b.Attempts, b.Connected, b.Seconds, b.Billed, int64(b.Amount))
		})
	if err != nil || len(keys) == 0 {
		return err
	}
	return q.addToTotals(ctx, s)
}

// addSums is the end of an upsert into the rollup table: a row already
// there gets the new sums added.
func addSums(table string) string {
	return ` DO UPDATE SET attempts = ` + table + `.attempts + excluded.attempts,
		connected = ` + table + `.connected + excluded.connected, seconds = ` + table + `.seconds + excluded.seconds,
		billed = ` + table + `.billed + excluded.billed, amount = ` + table + `.amount + excluded.amount`
}

// totalKey names one row of cdr_rollup_total.
type totalKey struct {
	bucket   int64
	carrier  bool
	currency string
}

// addToTotals adds the accounts' sums s to cdr_rollup_total, summed per
// side, currency (the account's, read in this transaction) and quarter
// hour, in key order.
func (q *Q) addToTotals(ctx context.Context, s rollupSums) error {
	ids := map[int64]bool{}
	for k := range s {
		ids[k.account] = true
	}
	currency, err := q.accountCurrencies(ctx, slices.Collect(maps.Keys(ids)))
	if err != nil {
		return err
	}
	sums := map[totalKey]*CDRBucket{}
	for k, b := range s {
		tk := totalKey{k.bucket, k.carrier, currency[k.account]}
		t := sums[tk]
		if t == nil {
			t = &CDRBucket{}
			sums[tk] = t
		}
		t.Attempts += b.Attempts
		t.Connected += b.Connected
		t.Seconds += b.Seconds
		t.Billed += b.Billed
		t.Amount += b.Amount
	}
	keys := slices.SortedFunc(maps.Keys(sums), func(a, b totalKey) int {
		return cmp.Or(cmp.Compare(a.bucket, b.bucket), compareBool(a.carrier, b.carrier), cmp.Compare(a.currency, b.currency))
	})
	return insertBatches(ctx, q, `INSERT INTO cdr_rollup_total (bucket, carrier, currency, attempts, connected, seconds, billed, amount) VALUES `, 8, len(keys),
		` ON CONFLICT (bucket, carrier, currency)`+addSums("cdr_rollup_total"),
		func(i int, args []any) []any {
			k, b := keys[i], sums[keys[i]]
			return append(args, k.bucket, k.carrier, k.currency, b.Attempts, b.Connected, b.Seconds, b.Billed, int64(b.Amount))
		})
}

// accountCurrencies returns the currency of each account of ids.
func (q *Q) accountCurrencies(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(len(ids), start+500)]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := q.query(ctx, `SELECT id, currency FROM accounts WHERE id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var c string
			if err := rows.Scan(&id, &c); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = c
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// SummaryBuckets returns the account's sums of the quarter hours that
// start in [from, to), oldest first; quarter hours without calls are left
// out. The caller folds them into days and months of the viewer's time
// zone, whose boundaries are whole quarter hours.
func (a *AccountQ) SummaryBuckets(ctx context.Context, carrier bool, from, to time.Time) ([]CDRBucket, error) {
	query, args := a.summarySQL(carrier, from, to)
	rows, err := a.q.query(ctx, query, args...)
	return collect(rows, err, func(row scanner) (CDRBucket, error) {
		var b CDRBucket
		var n int64
		err := row.Scan(&n, &b.Attempts, &b.Connected, &b.Seconds, &b.Billed, &b.Amount)
		b.Start = time.Unix(n*BucketSeconds, 0).UTC()
		return b, err
	})
}

// summarySQL reads one range of the rollup's primary key.
func (a *AccountQ) summarySQL(carrier bool, from, to time.Time) (string, []any) {
	return `SELECT bucket, attempts, connected, seconds, billed, amount FROM cdr_rollup
		WHERE account_id = ? AND carrier = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
		[]any{a.accountID, carrier, firstBucketFrom(from), firstBucketFrom(to)}
}

// firstBucketFrom is the first bucket that starts at or after t.
func firstBucketFrom(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	// Go's division truncates toward zero: that is the ceiling for
	// negative s, and for positive s one short of it unless s is a
	// bucket boundary.
	b := s / BucketSeconds
	if b*BucketSeconds < s {
		b++
	}
	return b
}

// TrafficBucket sums the calls of every account on one side and in one
// currency that started in one quarter hour: on the customer side the
// calls and their charges, on the carrier side the traffic carriers
// carried and its cost.
type TrafficBucket struct {
	CDRBucket
	Carrier  bool
	Currency string
}

// TrafficBuckets returns the sums of all accounts for the quarter hours
// that start in [from, to), oldest first, from cdr_rollup_total: a month
// is at most 2,976 quarter hours per side and currency, however many
// accounts and calls there are.
func (q *Q) TrafficBuckets(ctx context.Context, from, to time.Time) ([]TrafficBucket, error) {
	rows, err := q.query(ctx, `SELECT bucket, carrier, currency, attempts, connected, seconds, billed, amount FROM cdr_rollup_total
		WHERE bucket >= ? AND bucket < ? ORDER BY bucket, carrier, currency`, firstBucketFrom(from), firstBucketFrom(to))
	return collect(rows, err, func(row scanner) (TrafficBucket, error) {
		var b TrafficBucket
		var n int64
		err := row.Scan(&n, &b.Carrier, &b.Currency, &b.Attempts, &b.Connected, &b.Seconds, &b.Billed, &b.Amount)
		b.Start = time.Unix(n*BucketSeconds, 0).UTC()
		return b, err
	})
}
