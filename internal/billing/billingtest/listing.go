package billingtest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"portico/internal/portico"
)

// Versions returns the rows of several versions (Version 1 to versions)
// of one card over a pool of nested prefixes, effective on days around
// today (some before, some on, some after it). Versions carry the same
// prefix on the same day, prefixes start later than others, and a
// prefix's name changes from one version to the next (names in mixed case,
// some not ASCII, some with LIKE wildcards). Within a version a prefix
// has one row per day, as imports require.
func Versions(seed uint64, versions int, today time.Time) []portico.Rate {
	rng := rand.New(rand.NewPCG(seed, 11))
	names := []string{"United Kingdom", "UK Mobile", "Germany", "germany MOBILE", "Österreich", "MÜNCHEN Mobil",
		"a_b%c\\d", "", "Ünited", strings.Repeat("Long name ", 15)}
	var days []time.Time
	for _, d := range []int{-200, -166, -1, 0, 1, 78} {
		days = append(days, today.AddDate(0, 0, d))
	}
	var pool []string
	for _, r := range Deck(300, seed, today) {
		pool = append(pool, r.Prefix)
	}
	var rows []portico.Rate
	for v := 1; v <= versions; v++ {
		for _, p := range pool {
			for _, d := range days {
				if rng.IntN(6) != 0 {
					continue
				}
				rows = append(rows, portico.Rate{ID: int64(len(rows) + 1), Version: v, Prefix: p, Name: names[rng.IntN(len(names))],
					Rate: portico.Money(rng.Int64N(1_000_000)), ConnectionFee: portico.Money(rng.Int64N(3) * 10_000),
					MCD: 30, Pulse: 6, Effective: d})
			}
		}
	}
	return rows
}

// SearchKeeps is the Rate Card search as documented, written out plainly:
// digits (a leading + ignored) keep prefixes starting with them, anything
// else keeps names containing it in any case.
func SearchKeeps(r portico.Rate, search string) bool {
	q := strings.TrimSpace(search)
	if digits := strings.TrimPrefix(q, "+"); strings.Trim(digits, "0123456789") == "" {
		return strings.HasPrefix(r.Prefix, digits)
	}
	return strings.Contains(strings.ToLower(r.Name), strings.ToLower(q))
}

// InForceByLoop picks, for every prefix, the row in force at at by a loop
// over all rows (the latest effective date not after at; of equal dates,
// the higher version), keeps those after the prefix after that the search
// keeps, and sorts them by prefix: what a listing of the card in force
// must show, found the slow way.
func InForceByLoop(rows []portico.Rate, at time.Time, search, after string) []portico.Rate {
	best := map[string]portico.Rate{}
	for _, r := range rows {
		if r.Effective.After(at) {
			continue
		}
		b, seen := best[r.Prefix]
		if !seen || r.Effective.After(b.Effective) || r.Effective.Equal(b.Effective) && r.Version > b.Version {
			best[r.Prefix] = r
		}
	}
	var out []portico.Rate
	for _, r := range best {
		if r.Prefix > after && SearchKeeps(r, search) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b portico.Rate) int { return strings.Compare(a.Prefix, b.Prefix) })
	return out
}

// UpcomingByLoop lists the rows dated after at that the search keeps (of
// one prefix and date, the higher version's) by date then prefix.
func UpcomingByLoop(rows []portico.Rate, at time.Time, search string) []portico.Rate {
	best := map[string]portico.Rate{}
	for _, r := range rows {
		key := r.Prefix + "|" + r.Effective.String()
		if b, seen := best[key]; r.Effective.After(at) && (!seen || r.Version > b.Version) {
			best[key] = r
		}
	}
	var out []portico.Rate
	for _, r := range best {
		if SearchKeeps(r, search) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b portico.Rate) int {
		return cmp.Or(a.Effective.Compare(b.Effective), strings.Compare(a.Prefix, b.Prefix))
	})
	return out
}

// RateLines prints rows one a line, every field but the row id (which the
// database assigns), for comparing listings.
func RateLines(rows []portico.Rate) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%s v%d %q %s+%s %d/%d %s", r.Prefix, r.Version, r.Name, r.Rate, r.ConnectionFee, r.MCD, r.Pulse,
			r.Effective.Format(portico.DateLayout))
	}
	return out
}

// First returns the first n rows (all when n is 0 or more than there are).
func First(rows []portico.Rate, n int) []portico.Rate {
	if n > 0 && len(rows) > n {
		return rows[:n]
	}
	return rows
}
