package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// maxParams keeps one statement under both drivers' limits on bound
// parameters (SQLite 32766, PostgreSQL 65535).
const maxParams = 30_000

// valuesCache holds "(?, ?), (?, ?)…" texts by shape, so a batch insert
// does not rebuild (and, on PostgreSQL, renumber) a long statement each time.
var valuesCache sync.Map // valuesKey → string

type valuesKey struct {
	head, tail string
	cols, rows int
	dialect    Dialect
}

// multiInsert returns head + rows groups of cols placeholders + tail, in
// q's dialect.
func (q *Q) multiInsert(head, tail string, cols, rows int) string {
	k := valuesKey{head, tail, cols, rows, q.dialect}
	if s, ok := valuesCache.Load(k); ok {
		return s.(string)
	}
	group := "(" + placeholders(cols) + ")"
	var b strings.Builder
	b.Grow(len(head) + len(tail) + rows*(len(group)+2))
	b.WriteString(head)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(group)
	}
	b.WriteString(tail)
	s := q.rebind(b.String())
	valuesCache.Store(k, s)
	return s
}

// insertBatches inserts n rows with multi-row INSERT statements of up to
// perStatement rows; row appends the cols values of row i to args.
func insertBatches(ctx context.Context, q *Q, head string, cols, n int, tail string, row func(i int, args []any) []any) error {
	per := min(500, maxParams/cols)
	args := make([]any, 0, per*cols)
	// Parsing a 500-row INSERT costs about as much as running it, so in a
	// transaction that runs it more than once, the full-size statement is
	// prepared once.
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < n; start += per {
		end := min(n, start+per)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		query := q.multiInsert(head, tail, cols, end-start)
		tx, ok := q.q.(*sql.Tx)
		if !ok || end-start < per || n < 2*per {
			if _, err := q.q.ExecContext(ctx, query, args...); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			var err error
			if full, err = tx.PrepareContext(ctx, query); err != nil {
				return err
			}
		}
		if _, err := full.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}
