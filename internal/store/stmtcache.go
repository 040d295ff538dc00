package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the cache. Most of our SQL is built from
// fixed fragments; a few queries (IN lists) vary with their arguments, and
// past the bound a new text simply runs unprepared.
const maxCachedStatements = 512

// preparedReader is the SQLite read pool with its statements prepared once
// and kept. Parsing and planning a statement costs pure-Go SQLite about as
// much as running an indexed page query, and every portal page runs the
// same few queries (session, contact, account, page), so re-parsing them
// was a good share of a page's time. database/sql prepares a cached
// statement on each pool connection the first time it runs there.
// PostgreSQL needs none of this: pgx caches statements per connection.
type preparedReader struct {
	*sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newPreparedReader(db *sql.DB) *preparedReader {
	return &preparedReader{DB: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement for query, or nil when the cache is
// full or the statement does not prepare (running it unprepared then
// reports the error as usual). Preparing waits for a pool connection, so
// it happens outside the lock: holding the lock there would stall every
// cached query behind a busy pool. Two goroutines may prepare the same
// text; the second closes its copy.
func (r *preparedReader) stmt(ctx context.Context, query string) *sql.Stmt {
	r.mu.RLock()
	s, ok := r.stmts[query]
	full := len(r.stmts) >= maxCachedStatements
	r.mu.RUnlock()
	if ok {
		return s
	}
	if full {
		return nil
	}
	s, err := r.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if existing, ok := r.stmts[query]; ok {
		s.Close()
		return existing
	}
	if len(r.stmts) >= maxCachedStatements {
		s.Close()
		return nil
	}
	r.stmts[query] = s
	return s
}

func (r *preparedReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := r.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return r.DB.QueryContext(ctx, query, args...)
}

func (r *preparedReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := r.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return r.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the statements, then the pool.
func (r *preparedReader) Close() error {
	r.mu.Lock()
	for _, s := range r.stmts {
		s.Close()
	}
	clear(r.stmts)
	r.mu.Unlock()
	return r.DB.Close()
}
