package store

import (
	"context"
	"time"
)

// CDRPageSQLForTest returns the query and arguments CDRPage runs, for the
// query plan checks.
func (a *AccountQ) CDRPageSQLForTest(ctx context.Context, f PortalCDRFilter) (string, []any, error) {
	return a.cdrPageSQL(ctx, f)
}

// ScanForTest runs query on the read pool and scans every row's first
// column, returning how many rows there were (benchmarks compare OFFSET
// and COUNT(*) with keyset paging).
func (q *Q) ScanForTest(ctx context.Context, query string, args ...any) (int, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// SummarySQLForTest returns the query and arguments SummaryBuckets runs,
// for the query plan checks.
func (a *AccountQ) SummarySQLForTest(carrier bool, from, to time.Time) (string, []any) {
	return a.summarySQL(carrier, from, to)
}
