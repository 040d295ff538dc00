package billing_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"portico/internal/billing"
	"portico/internal/billing/billingtest"
	"portico/internal/portico"
)

var today = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

func sameRates(t *testing.T, what string, got, want []portico.Rate) {
	t.Helper()
	if g, w := billingtest.RateLines(got), billingtest.RateLines(want); !slices.Equal(g, w) {
		t.Fatalf("%s:\n got %d rows %q\nwant %d rows %q", what, len(g), g, len(w), w)
	}
}

// TestCardListingMatchesLoop compares the listings with a loop over every
// row, at instants before, on, late on and after the dates of a card of
// four versions, for searches by prefix and by name, pages after
// prefixes on the card and not on it, and limits.
func TestCardListingMatchesLoop(t *testing.T) {
	for seed := range uint64(3) {
		rows := billingtest.Versions(seed, 4, today)
		card := billing.NewCard(&portico.RateCard{ID: 1}, rows)
		searches := []string{"", " ", "4", "+4", "44", " +44 ", "+", "1234567", "uk", "UK", "mobil", "ÖSTER", "münchen",
			"ünited", "%", "_", "a_b%c\\", "\\", "long name long", "nowhere", "4 4", "++4"}
		afters := []string{"", "0", "4", "44", "9", "99999999", "a"}
		for i := range 5 {
			afters = append(afters, rows[i*len(rows)/5].Prefix)
		}
		for _, at := range []time.Time{today.AddDate(-1, 0, 0), today.AddDate(0, 0, -166), today,
			today.Add(24*time.Hour - time.Second), today.AddDate(1, 0, 0)} {
			for _, s := range searches {
				upcoming := billingtest.UpcomingByLoop(rows, at, s)
				for _, a := range afters {
					inForce := billingtest.InForceByLoop(rows, at, s, a)
					for _, lim := range []int{0, 1, 7} {
						q := billing.RateQuery{At: at, Search: s, After: a, Limit: lim}
						sameRates(t, fmt.Sprintf("InForce(%+v)", q), card.InForce(q), billingtest.First(inForce, lim))
						sameRates(t, fmt.Sprintf("Upcoming(%+v)", q), card.Upcoming(q), billingtest.First(upcoming, lim))
					}
				}
			}
		}
	}
}

// TestCardListingPages walks a listing page by page, each after the last
// prefix of the one before, and finds the whole listing.
func TestCardListingPages(t *testing.T) {
	rows := billingtest.Versions(9, 3, today)
	card := billing.NewCard(&portico.RateCard{ID: 1}, rows)
	for _, s := range []string{"", "4", "mobil"} {
		var all []portico.Rate
		for after := ""; ; {
			page := card.InForce(billing.RateQuery{At: today, Search: s, After: after, Limit: 10})
			all = append(all, page...)
			if len(page) < 10 {
				break
			}
			after = page[len(page)-1].Prefix
		}
		sameRates(t, "pages of "+s, all, billingtest.InForceByLoop(rows, today, s, ""))
	}
}

func TestCardListingEmpty(t *testing.T) {
	card := billing.NewCard(&portico.RateCard{ID: 1}, nil)
	q := billing.RateQuery{At: today, Search: "4", Limit: 10}
	if got := card.InForce(q); len(got) != 0 {
		t.Errorf("InForce of an empty card = %v", got)
	}
	if got := card.Upcoming(q); len(got) != 0 {
		t.Errorf("Upcoming of an empty card = %v", got)
	}
}

// BenchmarkCardListing measures the portal's Rate Card reads on a
// 50k-prefix card held in memory, each destination named differently (the
// worst case for a name search): the first page, a prefix search, a name
// search through the whole card, a page deep in it, the whole card.
func BenchmarkCardListing(b *testing.B) {
	card := billing.NewCard(&portico.RateCard{ID: 1}, billingtest.Deck(50_000, 7, today.AddDate(0, -1, 0)))
	all := card.InForce(billing.RateQuery{At: today})
	for _, c := range []struct {
		name string
		q    billing.RateQuery
	}{
		{"first", billing.RateQuery{Limit: 101}},
		{"q=44", billing.RateQuery{Search: "44", Limit: 101}},
		{"q=nowhere", billing.RateQuery{Search: "nowhere", Limit: 101}},
		{"deep", billing.RateQuery{After: all[40_000].Prefix, Limit: 101}},
		{"all", billing.RateQuery{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.q.At = today
			b.ReportAllocs()
			for b.Loop() {
				card.InForce(c.q)
				card.Upcoming(c.q)
			}
		})
	}
}
