package app_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/billing/billingtest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// loadVersions creates a card and loads rows as its versions, in the
// order of their Version numbers.
func loadVersions(t *testing.T, svc *app.Service, name string, rows []portico.Rate) *portico.RateCard {
	t.Helper()
	c := portico.NewRateCard(name, "USD")
	if err := svc.CreateRateCard(ctx, owner, c); err != nil {
		t.Fatal(err)
	}
	loadVersion(t, svc, c, rows)
	return c
}

func loadVersion(t *testing.T, svc *app.Service, c *portico.RateCard, rows []portico.Rate) {
	t.Helper()
	for v := 1; ; v++ {
		var deck []portico.Rate
		for _, r := range rows {
			if r.Version == v {
				deck = append(deck, r)
			}
		}
		if len(deck) == 0 {
			return
		}
		if _, created, err := svc.LoadRates(ctx, owner, c.ID, deck, "test"); err != nil || !created {
			t.Fatalf("load version %d of %s: created %v, %v", v, c.Name, created, err)
		}
	}
}

func sameRates(t *testing.T, what string, got, want []portico.Rate) {
	t.Helper()
	if g, w := billingtest.RateLines(got), billingtest.RateLines(want); !slices.Equal(g, w) {
		t.Fatalf("%s:\n got %d rows %q\nwant %d rows %q", what, len(g), g, len(w), w)
	}
}

// checkRates compares an account's Rate Card pages and download with a
// loop over the rows of its card as the test loaded them, at the
// database's now.
func checkRates(t *testing.T, svc *app.Service, db *store.DB, acc *portico.Account, card *portico.RateCard, rows []portico.Rate) {
	t.Helper()
	u, err := svc.PortalUserForTest(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := db.Now()
	for _, s := range []string{"", "4", "+44", "12345678", "mobil", "ÖSTER", "Destination", "nowhere"} {
		all := billingtest.InForceByLoop(rows, now, s, "")
		upcoming := billingtest.UpcomingByLoop(rows, now, s)
		afters := []string{"", "44", "99999999"}
		if len(all) > 0 {
			afters = append(afters, all[len(all)/2].Prefix)
		}
		for _, after := range afters {
			v, err := svc.PortalRates(ctx, u, s, after)
			if err != nil {
				t.Fatal(err)
			}
			if v.Card == nil || v.Card.ID != card.ID || v.Day != now.Format(portico.DateLayout) {
				t.Fatalf("q=%q after=%q: card %+v on %s, want card %d on %s", s, after, v.Card, v.Day, card.ID, now)
			}
			want := billingtest.InForceByLoop(rows, now, s, after)
			sameRates(t, "page q="+s+" after="+after, v.Current, billingtest.First(want, app.PortalPageSize))
			sameRates(t, "upcoming q="+s, v.Upcoming, billingtest.First(upcoming, app.PortalPageSize))
			next := ""
			if len(want) > app.PortalPageSize {
				next = want[app.PortalPageSize-1].Prefix
			}
			if v.Next != next {
				t.Fatalf("q=%q after=%q: next page after %q, want %q", s, after, v.Next, next)
			}
		}
		x, err := svc.PortalRatesExport(ctx, u, s)
		if err != nil {
			t.Fatal(err)
		}
		if x.Card == nil || x.Card.ID != card.ID {
			t.Fatalf("export q=%q: card %+v, want %d", s, x.Card, card.ID)
		}
		sameRates(t, "export q="+s, x.Current, all)
		sameRates(t, "export upcoming q="+s, x.Upcoming, billingtest.First(upcoming, 500))
	}
	// Every page, one after the other, is the whole card.
	var pages []portico.Rate
	for after := ""; ; {
		v, err := svc.PortalRates(ctx, u, "", after)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, v.Current...)
		if v.Next == "" {
			break
		}
		after = v.Next
	}
	sameRates(t, "all pages", pages, billingtest.InForceByLoop(rows, now, "", ""))
}

// sameDayRows counts the prefixes in force at now whose row of that date
// is in more than one version: the rows that test "the newest version
// wins".
func sameDayRows(rows []portico.Rate, now time.Time) int {
	versions := map[string]int{}
	for _, r := range rows {
		versions[r.Prefix+"|"+r.Effective.String()]++
	}
	n := 0
	for _, r := range billingtest.InForceByLoop(rows, now, "", "") {
		if versions[r.Prefix+"|"+r.Effective.String()] > 1 {
			n++
		}
	}
	return n
}

// TestPortalRates checks the Rate Card section on a card of several
// versions with past and future dates: searches, pages, downloads, a card
// of another account, no card, a version loaded on another node, the days
// passing, and the account moved to another card.
func TestPortalRates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 6, 15, 10, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		today := now.Truncate(24 * time.Hour)
		// Two nodes: each Service has its own card cache.
		svc, node2 := apptest.NewService(t, db), apptest.NewService(t, db)

		rowsA := billingtest.Versions(1, 3, today)
		if n := sameDayRows(rowsA, now); n == 0 {
			t.Fatal("no prefix in force has rows of one date in two versions")
		}
		if n := len(billingtest.InForceByLoop(rowsA, now, "", "")); n <= 2*app.PortalPageSize {
			t.Fatalf("card A has %d prefixes in force: not enough for pages", n)
		}
		cardA := loadVersions(t, svc, "Card A", rowsA)
		rowsB := billingtest.Deck(150, 2, today.AddDate(0, 0, -3))
		for i := range rowsB {
			rowsB[i].Version = 1
		}
		cardB := loadVersions(t, svc, "Card B", rowsB)
		accA := newAccount(t, svc, portico.KindCustomer, "A", cardA)
		accB := newAccount(t, svc, portico.KindCarrier, "B", cardB)
		none := newAccount(t, svc, portico.KindCustomer, "None", nil)

		checkRates(t, svc, db, accA, cardA, rowsA)
		checkRates(t, svc, db, accB, cardB, rowsB)
		checkRates(t, node2, db, accA, cardA, rowsA)
		u, err := svc.PortalUserForTest(ctx, accB.ID)
		if err != nil {
			t.Fatal(err)
		}
		if x, err := svc.PortalRatesExport(ctx, u, ""); err != nil || len(x.Current) != len(rowsB) {
			t.Fatalf("B's download: %v, %v", x, err)
		} else {
			for _, r := range x.Current {
				if !strings.HasPrefix(r.Name, "Destination ") {
					t.Fatalf("B sees a row of another card: %+v", r)
				}
			}
		}

		u, err = svc.PortalUserForTest(ctx, none.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := svc.PortalRates(ctx, u, "", ""); err != nil || v.Card != nil || len(v.Current)+len(v.Upcoming) != 0 {
			t.Fatalf("no card: %+v, %v", v, err)
		}
		if x, err := svc.PortalRatesExport(ctx, u, "4"); err != nil || x.Card != nil || len(x.Current)+len(x.Upcoming) != 0 {
			t.Fatalf("no card, download: %+v, %v", x, err)
		}

		// A version loaded on the other node shows on this one at once.
		v4 := billingtest.Versions(7, 1, today)
		for i := range v4 {
			v4[i].Version = 4
		}
		rowsA = append(rowsA, v4...)
		for i := range v4 {
			v4[i].Version = 1 // loadVersion loads the rows numbered 1 as the next version
		}
		loadVersion(t, node2, cardA, v4)
		checkRates(t, svc, db, accA, cardA, rowsA)

		// Two days on, what was upcoming is in force.
		now = now.AddDate(0, 0, 2)
		checkRates(t, svc, db, accA, cardA, rowsA)
		checkRates(t, node2, db, accA, cardA, rowsA)

		// Given card B, A sees card B and nothing of card A.
		accA.RateCardID = &cardB.ID
		if err := svc.UpdateAccountAndRateCard(ctx, owner, accA); err != nil {
			t.Fatal(err)
		}
		checkRates(t, svc, db, accA, cardB, rowsB)
	})
}

// TestPortalRatesConcurrent has many pages of a card read at once on a
// node that has not built it yet (as after a version load): all get the
// same, whole answer.
func TestPortalRatesConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		rows := billingtest.Deck(500, 3, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		for i := range rows {
			rows[i].Version = 1
		}
		card := loadVersions(t, svc, "Card", rows)
		acc := newAccount(t, svc, portico.KindCustomer, "A", card)
		fresh := apptest.NewService(t, db)
		u, err := fresh.PortalUserForTest(ctx, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := billingtest.InForceByLoop(rows, db.Now(), "", "")
		var wg sync.WaitGroup
		got := make([][]portico.Rate, 8)
		errs := make([]error, len(got))
		for i := range got {
			wg.Go(func() {
				v, err := fresh.PortalRates(ctx, u, "", "")
				if err == nil {
					got[i] = v.Current
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i := range got {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			sameRates(t, "concurrent page", got[i], want[:app.PortalPageSize])
		}
	})
}
