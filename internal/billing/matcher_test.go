package billing

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"portico/internal/portico"
)

func day(s string) time.Time {
	t, err := portico.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func row(prefix, name, rate, effective string, version int) portico.Rate {
	m, err := portico.ParseMoney(rate)
	if err != nil {
		panic(err)
	}
	return portico.Rate{Prefix: prefix, Name: name, Rate: m, Pulse: 1, Effective: day(effective), Version: version}
}

func TestLongestPrefixAndEffectiveDates(t *testing.T) {
	m := NewMatcher([]portico.Rate{
		row("44", "UK", "0.010", "2026-01-01", 1),
		row("447", "UK mobile", "0.050", "2026-01-01", 1),
		row("4479", "UK mobile Vodafone", "0.060", "2026-01-01", 1),
		row("1", "USA", "0.005", "2026-01-01", 1),
		row("49", "Germany", "0.020", "2026-01-01", 1),
		// Version 2 raises UK mobile from March and adds France from March.
		row("447", "UK mobile", "0.070", "2026-03-01", 2),
		row("33", "France", "0.030", "2026-03-01", 2),
		// Version 2 corrects Germany for the same effective date.
		row("49", "Germany", "0.025", "2026-01-01", 2),
		// Version 3 adds a longer prefix that is not yet in force in February.
		row("4420", "London", "0.008", "2026-04-01", 3),
	})
	cases := []struct {
		number, when string
		want         string // name and rate, or "" for no match
	}{
		{"447912345678", "2026-02-01T10:00:00Z", "UK mobile Vodafone 0.06"}, // longest prefix
		{"447712345678", "2026-02-01T10:00:00Z", "UK mobile 0.05"},          // version 1 in force
		{"447712345678", "2026-02-28T23:59:59Z", "UK mobile 0.05"},
		{"447712345678", "2026-03-01T00:00:00Z", "UK mobile 0.07"},  // version 2 from midnight UTC
		{"+447712345678", "2026-03-05T00:00:00Z", "UK mobile 0.07"}, // a leading + is ignored
		{"442071234567", "2026-02-01T10:00:00Z", "UK 0.01"},         // London not in force yet: falls back to 44
		{"442071234567", "2026-04-01T00:00:01Z", "London 0.008"},
		{"4930123456", "2026-01-15T00:00:00Z", "Germany 0.025"}, // same date: the newer version wins
		{"33123456789", "2026-02-01T00:00:00Z", ""},             // France not in force yet
		{"33123456789", "2026-03-01T00:00:00Z", "France 0.03"},
		{"12125551234", "2025-12-31T23:59:59Z", ""}, // before any row
		{"12125551234", "2026-01-01T00:00:00Z", "USA 0.005"},
		{"8613800000000", "2026-02-01T00:00:00Z", ""}, // no prefix
		{"", "2026-02-01T00:00:00Z", ""},
		{"44abc", "2026-02-01T00:00:00Z", "UK 0.01"}, // the number ends at the first non-digit
		{"4", "2026-02-01T00:00:00Z", ""},            // shorter than every prefix
	}
	for _, c := range cases {
		r, ok := m.Lookup(c.number, at(c.when).Unix())
		got := ""
		if ok {
			got = r.Name + " " + r.Rate.String()
		}
		if got != c.want {
			t.Errorf("Lookup(%q at %s) = %q, want %q", c.number, c.when, got, c.want)
		}
	}
	if m.Prefixes() != 7 {
		t.Errorf("Prefixes() = %d, want 7", m.Prefixes())
	}
}

func TestCardRatesACall(t *testing.T) {
	fee, _ := portico.ParseMoney("0.02")
	r := row("44", "UK", "0.012", "2026-01-01", 1)
	r.ConnectionFee, r.MCD, r.Pulse = fee, 30, 6
	card := NewCard(&portico.RateCard{ID: 7, Precision: 6, Rounding: portico.RoundHalfUp, LatestVersion: 1}, []portico.Rate{r})
	got, ok := card.Rate("4420", at("2026-02-01T00:00:00Z"), 37)
	if !ok || got.Billed != 42 || got.Charge.String() != "0.0284" || got.Name != "UK" || got.Prefix != "44" {
		t.Fatalf("Rate = %+v, %v; want 42 s billed, 0.0284", got, ok)
	}
	if got, ok := card.Rate("4420", at("2026-02-01T00:00:00Z"), 0); !ok || got.Charge != 0 || got.Billed != 0 {
		t.Fatalf("0 s call = %+v, want free", got)
	}
	if _, ok := card.Rate("33", at("2026-02-01T00:00:00Z"), 60); ok {
		t.Fatal("a number with no prefix was rated")
	}
}

// deck returns n distinct random prefixes of 1 to 8 digits, shaped like a
// real termination deck (country code, then area or mobile ranges).
func deck(n int, rng *rand.Rand) []portico.Rate {
	seen := map[string]bool{}
	rows := make([]portico.Rate, 0, n)
	for len(rows) < n {
		p := strconv.Itoa(1 + rng.IntN(9))
		for l := 1 + rng.IntN(8); len(p) < l; {
			p += strconv.Itoa(rng.IntN(10))
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		rows = append(rows, portico.Rate{Prefix: p, Name: "Dest " + p, Rate: portico.Money(rng.Int64N(500_000)),
			Pulse: 1, Effective: day("2026-01-01"), Version: 1})
	}
	return rows
}

// numbers returns n 11 to 13 digit numbers, most of them under a prefix of
// rows, so lookups walk deep as they do on real traffic. The digits share
// one backing string, laid out in order like the lines of an import, so the
// benchmark measures the trie rather than scattered string headers.
func numbers(n int, rows []portico.Rate, rng *rand.Rand) []string {
	var all strings.Builder
	ends := make([]int, n)
	for i := range n {
		s := "9"
		if rng.IntN(10) > 0 {
			s = rows[rng.IntN(len(rows))].Prefix
		}
		for l := 11 + rng.IntN(3); len(s) < l; {
			s += strconv.Itoa(rng.IntN(10))
		}
		all.WriteString(s)
		ends[i] = all.Len()
	}
	backing, out, start := all.String(), make([]string, n), 0
	for i, end := range ends {
		out[i], start = backing[start:end], end
	}
	return out
}

func TestLookupMatchesLinearScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rows := deck(5000, rng)
	m := NewMatcher(rows)
	for _, n := range numbers(20000, rows, rng) {
		best := ""
		for _, r := range rows {
			if len(r.Prefix) > len(best) && len(r.Prefix) <= len(n) && n[:len(r.Prefix)] == r.Prefix {
				best = r.Prefix
			}
		}
		got, ok := m.Lookup(n, at("2026-02-01T00:00:00Z").Unix())
		if (best == "") == ok || ok && got.Prefix != best {
			t.Fatalf("Lookup(%s) = %v %v, linear scan says %q", n, got, ok, best)
		}
	}
}

// BenchmarkLookup measures longest-prefix lookups on a 50k-prefix card, one
// goroutine: the target is 5 million lookups/s or better.
func BenchmarkLookup(b *testing.B) {
	for _, size := range []int{50_000, 100_000} {
		b.Run(fmt.Sprintf("prefixes=%d", size), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			rows := deck(size, rng)
			m := NewMatcher(rows)
			nums := numbers(1<<20, rows, rng)
			when := at("2026-02-01T00:00:00Z").Unix()
			b.ReportAllocs()
			b.ResetTimer()
			hits, i := 0, 0
			for ; b.Loop(); i++ {
				if _, ok := m.Lookup(nums[i&(1<<20-1)], when); ok {
					hits++
				}
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "lookups/s")
			if hits == 0 {
				b.Fatal("no lookup matched")
			}
		})
	}
}

// BenchmarkBuildMatcher measures building the matcher for a 50k-prefix card
// (done once per card version, then cached).
func BenchmarkBuildMatcher(b *testing.B) {
	rows := deck(50_000, rand.New(rand.NewPCG(7, 8)))
	for b.Loop() {
		NewMatcher(rows)
	}
}
