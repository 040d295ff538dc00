package store

import "context"

// ForceSchemaVersionForTest records a migration this binary does not know,
// as a newer portico would have.
func (q *Q) ForceSchemaVersionForTest(ctx context.Context, version int64) error {
	_, err := q.exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied, tstamp) VALUES (?, TRUE, ?)`, version, q.now)
	return err
}
