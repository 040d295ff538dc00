// Package store keeps Portico's data in SQLite (embedded default) or
// PostgreSQL (scale-out), with one set of SQL for both. It never imports
// net/http; callers get domain types and portico error codes.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"portico/internal/portico"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database: on SQLite one writer connection plus a read-only
// pool, on PostgreSQL one pool for both.
type DB struct {
	writer *sql.DB
	reader *sql.DB
	// readQ runs the read pool's queries: on SQLite with prepared
	// statements kept (see preparedReader).
	readQ   querier
	dialect Dialect
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// Config says which database to open.
type Config struct {
	DataDir     string // SQLite file lives here when DatabaseURL is empty
	DatabaseURL string // postgres://…
}

// Open opens (and creates, for SQLite) the database. It does not migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC() }}
	if cfg.DatabaseURL != "" {
		if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
			return nil, fmt.Errorf("database URL must start with postgres://")
		}
		pool, err := sql.Open("pgx", cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(10)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db.writer, db.reader, db.readQ, db.dialect = pool, pool, pool, Postgres
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		path := filepath.Join(cfg.DataDir, "portico.db")
		const pragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_time_format=sqlite"
		w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		// One writer: SQLite serialises writes anyway, and a single
		// connection turns lock contention into a queue in Go.
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)&_pragma=mmap_size(17179869184)")
		if err != nil {
			w.Close()
			return nil, err
		}
		// Keep every reader open: a closed one costs a new open, its
		// pragmas and a fresh set of prepared statements.
		readers := max(4, runtime.NumCPU())
		r.SetMaxOpenConns(readers)
		r.SetMaxIdleConns(readers)
		pr := newPreparedReader(r)
		db.writer, db.reader, db.readQ, db.dialect = w, r, pr, SQLite
	}
	if err := db.writer.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return db, nil
}

// Dialect reports the engine in use.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes every pool.
func (db *DB) Close() error {
	err := db.writer.Close()
	if pr, ok := db.readQ.(*preparedReader); ok {
		err = errors.Join(err, pr.Close())
	} else if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

// Ping checks the database answers (for /healthz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.reader.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs queries, inside a write transaction (from Write) or on the read
// pool (from Read). All entity methods hang off Q so that use cases can
// compose them in one transaction.
type Q struct {
	q       querier
	dialect Dialect
	now     time.Time
}

// Read returns a Q on the read pool. On SQLite that pool is query_only, so a
// write through it fails loudly instead of bypassing the single writer.
func (db *DB) Read() *Q {
	return &Q{q: db.readQ, dialect: db.dialect, now: db.Now()}
}

// Write runs fn in one transaction (BEGIN IMMEDIATE on SQLite) and commits
// when fn returns nil. The transaction's clock is fixed at its start.
func (db *DB) Write(ctx context.Context, fn func(q *Q) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&Q{q: tx, dialect: db.dialect, now: db.Now()}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Now is the time this Q was made, in UTC.
func (q *Q) Now() time.Time { return q.now }

// rebind rewrites ? placeholders to $1, $2… for PostgreSQL. Our SQL never
// holds a literal question mark, so a plain scan is enough.
func (q *Q) rebind(query string) string {
	if q.dialect != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (q *Q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.q.ExecContext(ctx, q.rebind(query), args...)
}

func (q *Q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.q.QueryContext(ctx, q.rebind(query), args...)
}

func (q *Q) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return q.q.QueryRowContext(ctx, q.rebind(query), args...)
}

// execOne runs a statement that must touch exactly one row; zero rows is a
// not-found error naming what.
func (q *Q) execOne(ctx context.Context, what, query string, args ...any) error {
	res, err := q.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return portico.Errorf(portico.ENOTFOUND, "%s not found.", what)
	}
	return nil
}

// constraint classifies a driver error as a unique or foreign-key violation.
func constraint(err error) (unique, foreignKey bool) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true, false
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			return false, true
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505", pe.Code == "23503"
	}
	return false, false
}

// conflictErr turns a unique violation into a field error the user can act
// on, and a foreign-key violation into a conflict; other errors pass through.
func conflictErr(err error, field, msg, fkMsg string) error {
	if err == nil {
		return nil
	}
	unique, fk := constraint(err)
	switch {
	case unique:
		return &portico.Error{Code: portico.ECONFLICT, Message: msg, Fields: map[string]string{field: msg}}
	case fk:
		return portico.Errorf(portico.ECONFLICT, "%s", fkMsg)
	}
	return err
}

// notFound maps sql.ErrNoRows to a portico not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return portico.Errorf(portico.ENOTFOUND, "%s not found.", what)
	}
	return err
}

// pageLimit bounds a list's page size.
func pageLimit(n int) int {
	if n <= 0 || n > 500 {
		return 50
	}
	return n
}
