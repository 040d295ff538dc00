package store

import (
	"database/sql"
	"encoding/json"
	"reflect"
	"time"
)

// jsonText encodes lists and maps kept in TEXT columns. A nil slice or map
// becomes "[]" or "{}" so readers never meet NULL.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		if reflect.ValueOf(v).Kind() == reflect.Map {
			return "{}"
		}
		return "[]"
	}
	return string(b)
}

// jsonScan decodes a TEXT column written by jsonText.
func jsonScan(s string, v any) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

// nullInt turns an optional id into a SQL value.
func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// intPtr turns a scanned NULL-able id back into an optional id.
func intPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// timePtr turns a scanned NULL-able time into an optional UTC time.
func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(...any) error }

// collect scans every row of a query with scan, closing the rows.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
