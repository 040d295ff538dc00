// Package storetest opens real databases for tests: SQLite always, and
// PostgreSQL too when PORTICO_TEST_DATABASE_URL is set. Each test gets its
// own database (SQLite file) or schema (PostgreSQL), removed afterwards.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strconv"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"portico/internal/store"
)

// EnvDatabaseURL names the variable that turns on PostgreSQL tests.
const EnvDatabaseURL = "PORTICO_TEST_DATABASE_URL"

// Engine is one database a test runs on.
type Engine struct {
	Name string
	// Config opens a fresh, empty database; call it once per test.
	Config func(t testing.TB) store.Config
}

// Engines lists SQLite and, when configured, PostgreSQL.
func Engines() []Engine {
	engines := []Engine{{Name: "sqlite", Config: func(t testing.TB) store.Config {
		return store.Config{DataDir: t.TempDir()}
	}}}
	if u := os.Getenv(EnvDatabaseURL); u != "" {
		engines = append(engines, Engine{Name: "postgres", Config: func(t testing.TB) store.Config {
			return store.Config{DatabaseURL: freshSchema(t, u)}
		}})
	}
	return engines
}

// Each runs fn as a subtest on every engine with a migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fn(t, Open(t, e.Config(t)))
		})
	}
}

// Open opens and migrates a database and closes it when the test ends.
func Open(t testing.TB, cfg store.Config) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// freshSchema creates a schema with a random name and returns base with
// search_path set to it; the schema is dropped when the test ends. A URL
// that cannot be reached fails the test: CI must not pass by skipping.
func freshSchema(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", EnvDatabaseURL, err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("%s: cannot create test schema: %v", EnvDatabaseURL, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop test schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvDatabaseURL, err)
	}
	qs := u.Query()
	qs.Set("search_path", schema)
	u.RawQuery = qs.Encode()
	return u.String()
}

// OpenBench opens the database `portico seed` filled, for benchmarks: the
// SQLite data folder in PORTICO_BENCH_DATA, or PostgreSQL at
// PORTICO_BENCH_DATABASE_URL. The account measured is
// PORTICO_BENCH_ACCOUNT (default 1, the seed's big account). Without either
// variable the benchmark skips: it needs millions of rows, which `go test
// ./...` must not build.
func OpenBench(b *testing.B) (*store.DB, int64) {
	cfg := store.Config{DataDir: os.Getenv("PORTICO_BENCH_DATA"), DatabaseURL: os.Getenv("PORTICO_BENCH_DATABASE_URL")}
	if cfg.DataDir == "" && cfg.DatabaseURL == "" {
		b.Skip("set PORTICO_BENCH_DATA or PORTICO_BENCH_DATABASE_URL to a database made by `portico seed`")
	}
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	acc := int64(1)
	if s := os.Getenv("PORTICO_BENCH_ACCOUNT"); s != "" {
		acc, _ = strconv.ParseInt(s, 10, 64)
	}
	return db, acc
}
