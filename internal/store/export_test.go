package store

import (
	"context"
	"database/sql"

	"portico/internal/portico"
)

// ForceSchemaVersionForTest records a migration this binary does not know,
// as a newer portico would have.
func (q *Q) ForceSchemaVersionForTest(ctx context.Context, version int64) error {
	_, err := q.exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied, tstamp) VALUES (?, TRUE, ?)`, version, q.now)
	return err
}

// MigrateToForTest applies the migrations up to version only, so a test
// can store rows under an older schema and then migrate them.
func (db *DB) MigrateToForTest(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// InsertCDRRowsForTest stores cdrs as InsertCDRs does but without summing
// them into anything, as the ingest did before migration 00007.
func (q *Q) InsertCDRRowsForTest(ctx context.Context, cdrs []portico.CDR) error {
	return q.insertCDRRows(ctx, cdrs, func(*sql.Rows) error { return nil })
}
