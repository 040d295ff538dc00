package app_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// TestRateUnratedCDRs stores calls no rate matches, then gives the card
// the missing prefix and another account a card, and rates them again:
// the charges follow the rates by hand, are booked once, and a call that
// still matches nothing stays unrated.
func TestRateUnratedCDRs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := apptest.NewService(t, db)
		card := newCard(t, svc, "Retail", "USD", deckV1)
		globex := newAccount(t, svc, portico.KindCustomer, "Globex", card)
		late := newAccount(t, svc, portico.KindCustomer, "Late", nil)
		carrier := newAccount(t, svc, portico.KindCarrier, "Transit", nil)
		franceCall := call("france", "2026-03-10T10:00:00Z", "33123456789", 60, globex.ID)
		franceCall.BilledDuration = 7 // what the switch sent; rating replaces it
		franceCall.CarrierID = carrier.ID
		calls := []portico.CDR{
			franceCall,
			call("uk", "2026-03-10T10:01:00Z", "442071234567", 37, globex.ID),
			call("germany", "2026-03-10T10:02:00Z", "4930123456", 90, globex.ID),
			call("late-uk", "2026-03-10T10:03:00Z", "442071234567", 37, late.ID),
		}
		if r, err := svc.IngestCDRs(ctx, owner, calls, "test"); err != nil || r.Unrated != 3 {
			t.Fatalf("ingest: %+v %v", r, err)
		}
		globexBefore, lateBefore := balance(t, svc, globex), balance(t, svc, late)

		if _, err := svc.RateUnratedCDRs(ctx, support); portico.ErrorCode(err) != portico.EFORBIDDEN {
			t.Fatalf("support rated calls: %v", err)
		}
		// France arrives from 1 March (deckV2), and Late gets the card.
		if _, _, err := svc.ImportRates(ctx, owner, card.ID, strings.NewReader(deckV2), billing.RatesOptions{}, "v2.csv"); err != nil {
			t.Fatal(err)
		}
		late.RateCardID = &card.ID
		if err := svc.UpdateAccountAndRateCard(ctx, owner, late); err != nil {
			t.Fatal(err)
		}
		res, err := svc.RateUnratedCDRs(ctx, owner)
		if err != nil || res != (portico.RerateResult{Rated: 2, Unrated: 1}) {
			t.Fatalf("rate unrated: %+v %v", res, err)
		}
		// France: 60 s at 0.03 a minute, pulse 1 s. UK: 37 s on 30/6
		// bills 42 s at 0.012 a minute.
		france, lateUK := mustMoney(t, "0.03"), mustMoney(t, "0.0084")
		got := cdrsOf(t, svc, portico.CDRFilter{})
		if c := got["france"]; c.Unrated || c.Charge == nil || *c.Charge != france || c.BilledDuration != 60 || c.DestinationName != "France" {
			t.Errorf("france after rating: %+v", c)
		}
		if c := got["late-uk"]; c.Unrated || c.Charge == nil || *c.Charge != lateUK || c.BilledDuration != 42 {
			t.Errorf("late-uk after rating: %+v", c)
		}
		if c := got["germany"]; !c.Unrated || c.Charge != nil {
			t.Errorf("germany should stay unrated: %+v", c)
		}
		if b := balance(t, svc, globex); b != globexBefore-france {
			t.Errorf("Globex balance %s, want %s", b, globexBefore-france)
		}
		if b := balance(t, svc, late); b != lateBefore-lateUK {
			t.Errorf("Late balance %s, want %s", b, lateBefore-lateUK)
		}
		// The Summary's rollup moved with the charges: its totals are the
		// sums of the calls as they are now.
		for _, acc := range []*portico.Account{globex, late, carrier} {
			var want, got store.CDRBucket
			side := portico.CDRFilter{CustomerID: acc.ID}
			if acc == carrier {
				side = portico.CDRFilter{CarrierID: acc.ID}
			}
			for _, c := range slices.Collect(maps.Values(cdrsOf(t, svc, side))) {
				want.Billed += int64(c.BilledDuration)
				if c.Charge != nil && acc != carrier { // the carrier's amount is its cost: none here
					want.Amount += *c.Charge
				}
			}
			buckets, err := db.Read().ForAccount(acc.ID).SummaryBuckets(ctx, acc == carrier, ts("2026-03-01T00:00:00Z"), ts("2026-04-01T00:00:00Z"))
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range buckets {
				got.Billed += b.Billed
				got.Amount += b.Amount
			}
			if got != want {
				t.Errorf("%s: rollup billed %d s and %s, calls %d s and %s", acc.Name, got.Billed, got.Amount, want.Billed, want.Amount)
			}
		}
		audit, err := svc.ListAudit(ctx, store.AuditFilter{Action: "cdrs.rate_unrated"})
		if err != nil || len(audit.Items) != 1 || !strings.Contains(audit.Items[0].Detail, "2 calls rated") {
			t.Errorf("audit of the run: %+v %v", audit.Items, err)
		}
		// Again: nothing new to rate, nothing booked twice.
		if res, err := svc.RateUnratedCDRs(ctx, owner); err != nil || res != (portico.RerateResult{Unrated: 1}) {
			t.Fatalf("second run: %+v %v", res, err)
		}
		if b := balance(t, svc, globex); b != globexBefore-france {
			t.Errorf("Globex balance after a second run %s, want %s", b, globexBefore-france)
		}
	})
}

// TestRateUnratedCDRsConcurrently runs two re-ratings at once (two
// services on one database, as two nodes would): every call is charged
// exactly once between them, however the scheduler interleaves them (often
// one run rates everything; store.TestLateChargesApplyOnce forces the
// overlap of two runs that read the same calls).
func TestRateUnratedCDRsConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, other := apptest.NewService(t, db), apptest.NewService(t, db)
		card := newCard(t, svc, "Retail", "USD", deckV1)
		globex := newAccount(t, svc, portico.KindCustomer, "Globex", card)
		var calls []portico.CDR
		for i := range 1200 { // more than two batches
			calls = append(calls, call(fmt.Sprintf("fr%d", i), "2026-03-10T10:00:00Z", "33123456789", 60, globex.ID))
		}
		if r, err := svc.IngestCDRs(ctx, owner, calls, "test"); err != nil || r.Unrated != len(calls) {
			t.Fatalf("ingest: %+v %v", r, err)
		}
		before := balance(t, svc, globex)
		if _, _, err := svc.ImportRates(ctx, owner, card.ID, strings.NewReader(deckV2), billing.RatesOptions{}, "v2.csv"); err != nil {
			t.Fatal(err)
		}
		results := make([]portico.RerateResult, 2)
		var wg sync.WaitGroup
		for i, s := range []*app.Service{svc, other} {
			wg.Go(func() {
				var err error
				if results[i], err = s.RateUnratedCDRs(ctx, owner); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := results[0].Rated + results[1].Rated; n != len(calls) {
			t.Errorf("rated %d + %d calls, want %d in all", results[0].Rated, results[1].Rated, len(calls))
		}
		// 1,200 calls of 60 s at 0.03 a minute.
		if got, want := before-balance(t, svc, globex), mustMoney(t, "36"); got != want {
			t.Errorf("charged %s in all, want %s", got, want)
		}
	})
}
