package store

import (
	"context"
	"strings"
)

// ExplainForTest returns the plan of query, one line per row: SQLite's
// EXPLAIN QUERY PLAN detail, or PostgreSQL's EXPLAIN with sequential scans
// switched off for the transaction (so it shows whether an index can serve
// the query, which on an empty table PostgreSQL would rightly not use).
// Call it inside Write.
func (q *Q) ExplainForTest(ctx context.Context, query string, args ...any) (string, error) {
	prefix, col := "EXPLAIN QUERY PLAN ", 3
	if q.dialect == Postgres {
		if _, err := q.exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return "", err
		}
		prefix, col = "EXPLAIN ", 0
	}
	rows, err := q.query(ctx, prefix+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		switch v := vals[col].(type) {
		case string:
			plan = append(plan, strings.TrimSpace(v))
		case []byte:
			plan = append(plan, strings.TrimSpace(string(v)))
		}
	}
	return strings.Join(plan, " / "), rows.Err()
}
