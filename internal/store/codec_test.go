package store

import (
	"testing"
	"time"
)

func TestParseSQLiteTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2026-09-28 07:20:11+00:00":           time.Date(2026, 9, 28, 7, 20, 11, 0, time.UTC),
		"2026-09-28 07:20:16.184+00:00":       time.Date(2026, 9, 28, 7, 20, 16, 184_000_000, time.UTC),
		"2026-09-28 07:20:16.123456789+00:00": time.Date(2026, 9, 28, 7, 20, 16, 123456789, time.UTC),
		"2026-09-28T07:20:16.5Z":              time.Date(2026, 9, 28, 7, 20, 16, 500_000_000, time.UTC),
		"2026-09-28 07:20:16":                 time.Date(2026, 9, 28, 7, 20, 16, 0, time.UTC),
		// Another zone takes the slow path and comes back in UTC.
		"2026-09-28 02:20:16.25-05:00": time.Date(2026, 9, 28, 7, 20, 16, 250_000_000, time.UTC),
	} {
		got, err := parseSQLiteTime(in)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseSQLiteTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "2026-02-31 00:00:00+00:00", "2026-13-01 00:00:00", "2026-09-28 24:00:00", "2026-09-28 07:20:16.+00:00", "yesterday"} {
		if got, err := parseSQLiteTime(bad); err == nil {
			t.Errorf("parseSQLiteTime(%q) = %v, want an error", bad, got)
		}
	}
}

// FuzzParseSQLiteTime checks the fast path against time.Parse: whatever
// time.Parse reads in the driver's layout, the fast path reads the same or
// leaves to it.
func FuzzParseSQLiteTime(f *testing.F) {
	for _, s := range []string{"2026-09-28 07:20:11+00:00", "2026-09-28 07:20:16.184+00:00", "2024-02-29 23:59:59.999999999Z", "0000-01-01 00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseUTCTime(s)
		if !ok {
			return
		}
		var want time.Time
		var err error
		for _, layout := range sqliteTimeLayouts {
			if want, err = time.Parse(layout, s); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("fast path read %q as %v, time.Parse refuses it: %v", s, fast, err)
		}
		if !fast.Equal(want) {
			t.Fatalf("fast path read %q as %v, time.Parse as %v", s, fast, want)
		}
	})
}
