package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
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

// sqliteTimeLayout is how the SQLite driver writes times (_time_format=sqlite).
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// sqliteTimeLayouts are the layouts parseSQLiteTime accepts, the driver's
// first.
var sqliteTimeLayouts = []string{sqliteTimeLayout, "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

// dbTime scans a timestamp that arrives as a time.Time (PostgreSQL, or a
// TIMESTAMP column on SQLite) or as SQLite text (a column read through
// CAST(… AS TEXT), see cdrColumns), into t in UTC.
type dbTime struct{ t *time.Time }

func (d dbTime) Scan(v any) error {
	var err error
	switch v := v.(type) {
	case time.Time:
		*d.t = v.UTC()
	case string:
		*d.t, err = parseSQLiteTime(v)
	case []byte:
		*d.t, err = parseSQLiteTime(string(v))
	default:
		err = fmt.Errorf("cannot scan %T as a time", v)
	}
	return err
}

// parseSQLiteTime reads a time as the SQLite driver writes it. Times are
// written in UTC, so the fast path reads the digits in place and takes a
// +00:00 (or Z, or no) zone; anything else goes to time.Parse. The driver's
// own parsing tries layouts in turn and cost an eighth of a CDR export.
func parseSQLiteTime(s string) (time.Time, error) {
	if t, ok := parseUTCTime(s); ok {
		return t, nil
	}
	for _, layout := range sqliteTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time", s)
}

// parseUTCTime is parseSQLiteTime's fast path: "YYYY-MM-DD hh:mm:ss",
// an optional fraction of 1 to 9 digits, then "+00:00", "Z" or nothing.
func parseUTCTime(s string) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec := num(11, 13), num(14, 16), num(17, 19)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	rest, nsec := s[19:], 0
	if len(rest) > 0 && rest[0] == '.' {
		digits := 0
		for digits+1 < len(rest) && rest[digits+1] >= '0' && rest[digits+1] <= '9' {
			digits++
		}
		if digits == 0 || digits > 9 {
			return time.Time{}, false
		}
		nsec = num(20, 20+digits)
		for range 9 - digits {
			nsec *= 10
		}
		rest = rest[1+digits:]
	}
	if rest != "" && rest != "Z" && rest != "+00:00" {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 February and the like
		return time.Time{}, false
	}
	return t, true
}
